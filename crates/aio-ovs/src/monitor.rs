//! Notice when OVS rows change, for `aio watch`: an OVSDB `monitor` on the
//! tables aio manages.

use serde_json::json;
use std::time::Duration;
use tokio::sync::mpsc;

use aio_ovsdb::{Client, Options};

use crate::snapshot::DB;

/// A stream with one item per change of a bridge, port or interface; it ends
/// when the connection to OVSDB does.
pub async fn changes(address: &str) -> Result<mpsc::UnboundedReceiver<()>, aio_ovsdb::Error> {
    let options = Options {
        connect_timeout: Duration::from_secs(3),
        request_timeout: Duration::from_secs(10),
    };
    let client = Client::connect_with(address.parse()?, options).await?;
    let mut updates = client.updates();
    let watched = json!({
        "Bridge": {"columns": ["name", "ports", "datapath_type", "fail_mode"]},
        "Port": {"columns": ["name", "tag", "trunks", "interfaces"]},
        "Interface": {"columns": ["name", "type"]},
    });
    client.monitor(DB, json!("aio-watch"), watched).await?;
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        // The client lives as long as this task: the monitor with it.
        let _client = client;
        while updates.recv().await.is_some() {
            if tx.send(()).is_err() {
                return;
            }
        }
    });
    Ok(rx)
}
