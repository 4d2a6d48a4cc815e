//! A client of the OVSDB management protocol (RFC 7047), the JSON-RPC that
//! `ovsdb-server` speaks, on tokio.
//!
//! - [`Client`] connects to `unix:PATH` or `tcp:HOST:PORT`, sends requests
//!   (several may be in flight) and answers the server's echo probes;
//! - [`Op`], [`Condition`] and [`Mutation`] build `transact` operations;
//! - [`Atom`], [`Datum`] and [`Row`] are OVSDB data, with readers for the
//!   shapes columns come in (a set of references, a string map, an optional
//!   integer);
//! - [`Schema`] tells whether the server's database has the tables and
//!   columns a caller is about to use.
//!
//! A response's `result` is read from its bytes straight into the caller's
//! types ([`OpResult`]s and their [`Row`]s), never through a JSON tree: the
//! selects of 10,000 ports are a few MiB of text, and were ten times that
//! as `serde_json::Value`s.
//!
//! A transaction is atomic: when one operation fails, [`Client::transact`]
//! returns [`Error::Operation`] naming it, and nothing was changed.
//!
//! ```no_run
//! use aio_ovsdb::{Atom, Client, Condition, Datum, Mutation, Op, Row};
//!
//! # async fn example() -> Result<(), aio_ovsdb::Error> {
//! let client = Client::connect("unix:/run/openvswitch/db.sock").await?;
//! client.get_schema("Open_vSwitch").await?.require("Port", "tag")?;
//! let iface = Row::new().with("name", "p0");
//! let port = Row::new()
//!     .with("name", "p0")
//!     .with("tag", 10)
//!     .with("interfaces", Atom::named("iface"));
//! let bridge = Row::new()
//!     .with("name", "br0")
//!     .with("ports", Datum::set([Atom::named("port")]));
//! let results = client
//!     .transact("Open_vSwitch", &[
//!         Op::insert("Interface", iface, Some("iface")),
//!         Op::insert("Port", port, Some("port")),
//!         Op::insert("Bridge", bridge, Some("bridge")),
//!         Op::mutate("Open_vSwitch", [], [Mutation::insert("bridges", Atom::named("bridge"))]),
//!         Op::select("Port", [Condition::eq("name", "p0")]),
//!     ])
//!     .await?;
//! assert_eq!(results[4].rows()[0].optional_integer("tag")?, Some(10));
//! # Ok(())
//! # }
//! ```

mod address;
mod clause;
mod client;
mod codec;
mod error;
mod ops;
mod result;
mod row;
mod schema;
mod session;
mod types;

pub use address::{Address, AddressError, DEFAULT_PORT};
pub use clause::{Condition, Function, Mutation, Mutator};
pub use client::{Client, Options};
pub use codec::{CodecError, Decoder};
pub use error::{DataError, Error};
pub use ops::{Op, Until};
pub use result::OpResult;
pub use row::Row;
pub use schema::{BaseType, ColumnType, Schema, SchemaError, Table};
pub use types::{Atom, Datum};
