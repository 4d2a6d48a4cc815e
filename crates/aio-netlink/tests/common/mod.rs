//! What the tests of the links family against a sandbox's namespace share:
//! the facts it learns there, the context its resources and provider are
//! made in, and an engine with that provider.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use aio_engine::Engine;
use aio_family::{Context, Family, Probe, Shared};
use aio_netlink::Links;
use aio_sandbox::Sandbox;
use aio_topology::{Facts, Topology};

/// The facts the links family learns in `sb`'s namespace for `topology`.
pub async fn facts(sb: &Sandbox, topology: &Topology, shared: &Shared) -> Facts {
    let mut facts = Facts::default();
    let probe = Probe {
        topology: Some(topology),
        uplink: &topology.host.uplink.value,
        netns: Some(&sb.ns),
        state_dir: None,
        shared,
    };
    Links.facts(probe, &mut facts).await.unwrap();
    facts
}

/// A run's context in `sb`'s namespace, without a state dir of its own.
pub fn context<'a>(
    sb: &'a Sandbox,
    topology: &'a Topology,
    facts: &'a Facts,
    shared: &'a Shared,
) -> Context<'a> {
    Context {
        topology,
        facts,
        netns: Some(&sb.ns),
        state_dir: Path::new("/nonexistent"),
        reruns: &[],
        shared,
    }
}

/// An engine with the links family's provider, its state in a fresh dir
/// (kept as long as the engine is used).
pub async fn engine(cx: Context<'_>) -> (Engine, tempfile::TempDir) {
    let provider = Links.provider(cx).await.unwrap().unwrap();
    let state = tempfile::tempdir().unwrap();
    let engine = Engine::new(state.path()).with_provider(provider);
    (engine, state)
}
