//! Notice when OVS rows change, for `aio watch`: an OVSDB `monitor` on the
//! tables aio manages.

use serde_json::json;
use std::time::Duration;
use tokio::sync::mpsc;

use aio_family::Touched;
use aio_ovsdb::{Address, Client};

use crate::snapshot::DB;

/// A stream with one item per change of a bridge, port or interface; it ends
/// when the connection to OVSDB does.
pub async fn changes(address: &Address) -> Result<mpsc::UnboundedReceiver<()>, aio_ovsdb::Error> {
    let client = Client::connect_with(address.clone(), crate::OPTIONS).await?;
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

/// The longest wait between attempts to reach OVSDB.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Sends `ours` on `changed` at every change [`changes`] announces,
/// connecting again (with backoff) whenever OVSDB is not there; each
/// (re)connection counts as a change. Ends when `changed` is closed.
pub async fn follow(address: Address, ours: Touched, changed: mpsc::UnboundedSender<Touched>) {
    let mut wait = Duration::from_millis(250);
    loop {
        if let Ok(mut announced) = changes(&address).await {
            wait = Duration::from_millis(250);
            if changed.send(ours.clone()).is_err() {
                return;
            }
            while announced.recv().await.is_some() {
                if changed.send(ours.clone()).is_err() {
                    return;
                }
            }
        }
        if changed.is_closed() {
            return;
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(MAX_BACKOFF);
    }
}
