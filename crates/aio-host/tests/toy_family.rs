//! docs/architecture.md's "Adding a provider", followed literally: a toy
//! family (its ids and attributes, a provider that observes in bulk and
//! applies, a `Family`) added to the registry's list, then planned,
//! applied and planned again through `Host`, beside aio's own families, in
//! a sandbox namespace. Nothing else learns of it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde_json::json;

use aio_engine::{
    Action, Attrs, Change, Kind, Observed, Provider, ProviderError, ProviderName, Resource,
    ResourceId,
};
use aio_family::{Context, Family, FamilyError, Wanted, ids};
use aio_host::{Host, Target, registry};
use aio_sandbox::Sandbox;
use aio_topology::{Span, Topology};

/// The toy's provider name, and the kind of its ids: `lamp/INTERFACE`.
const TOY: ProviderName = ProviderName::new("toy");
const LAMP: Kind = Kind::new("lamp");

/// A lamp per interface the topology declares, lit once the link is there.
fn lamp(interface: &str) -> ResourceId {
    ResourceId::new(&LAMP, interface)
}

fn lit() -> Attrs {
    Attrs::from_value(json!({"lit": true})).unwrap()
}

/// What the toy "system" holds: lamps and their attributes.
type Lamps = Arc<Mutex<BTreeMap<ResourceId, Attrs>>>;

struct LampProvider(Lamps);

#[async_trait]
impl Provider for LampProvider {
    fn name(&self) -> ProviderName {
        TOY
    }

    async fn observe(&self, ids: &[ResourceId]) -> Result<Observed, ProviderError> {
        let lamps = self.0.lock().unwrap();
        let mut out = Observed::new();
        for id in ids {
            if let Some(attrs) = lamps.get(id) {
                out.insert(id.clone(), attrs.clone());
            }
        }
        Ok(out)
    }

    async fn apply(&self, changes: &[&Change]) -> Result<(), ProviderError> {
        let mut lamps = self.0.lock().unwrap();
        for change in changes {
            match &change.after {
                Some(attrs) => lamps.insert(change.id.clone(), Attrs::clone(attrs)),
                None => lamps.remove(&change.id),
            };
        }
        Ok(())
    }
}

struct Toy(Lamps);

#[async_trait]
impl Family for Toy {
    fn name(&self) -> ProviderName {
        TOY
    }

    fn wanted(&self, cx: Context<'_>) -> Result<Wanted, FamilyError> {
        let resources = cx
            .topology
            .interfaces
            .keys()
            .map(|name| {
                let mut r = Resource::new(lamp(name), TOY).with_attrs(lit());
                r.deps = vec![ids::link(name)];
                r
            })
            .collect::<Vec<_>>();
        Ok(resources.into())
    }

    async fn provider(&self, _cx: Context<'_>) -> Result<Option<Box<dyn Provider>>, FamilyError> {
        Ok(Some(Box::new(LampProvider(self.0.clone()))))
    }

    fn locate(&self, topology: &Topology, id: &ResourceId) -> Option<Span> {
        let interface = topology.interfaces.get(id.name())?;
        (*id == lamp(id.name())).then(|| interface.name_span.clone())
    }
}

const TOPOLOGY: &str = r#"version = 1
[host]
uplink = "auto"

[interfaces.dummy1]
type = "bridge"
addresses = ["10.0.2.2/24"]
"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_family_added_to_the_registry_list_is_planned_applied_and_located_through_host() {
    let sb = Sandbox::new(&format!("aio-toy-{}", std::process::id()));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("topology.toml");
    std::fs::write(&file, TOPOLOGY).unwrap();
    let target = Target {
        file: file.clone(),
        netns: Some(sb.ns.clone()),
        state_dir: dir.path().join("state"),
        reruns: Vec::new(),
        targets: Vec::new(),
    };
    let lamps = Lamps::default();
    // The one line a new family adds to the registry.
    let mut families = registry::families();
    families.push(Box::new(Toy(lamps.clone())));

    let host = Host::open_with(target.clone(), families).await.unwrap();
    let plan = host.plan().await.unwrap();
    let change = plan
        .changes
        .iter()
        .find(|c| c.id == lamp("dummy1"))
        .unwrap_or_else(|| panic!("no lamp in {plan:?}"));
    assert_eq!(change.action, Action::Create);
    assert_eq!(change.provider, TOY);
    // It waits for the link netlink makes: ordered after it in one plan.
    assert!(plan.changes.iter().any(|c| c.id == ids::link("dummy1")));

    let applied = host.apply(&plan, &mut |_| {}).await.unwrap();
    assert_eq!(applied.applied, plan.changes.len());
    assert_eq!(lamps.lock().unwrap().get(&lamp("dummy1")), Some(&lit()));
    assert!(sb.ip(&["link", "show", "dummy1"]).contains("dummy1"));

    let again = host.plan().await.unwrap();
    assert!(again.is_empty(), "{again:?}");
    let at = host.locate(&lamp("dummy1")).unwrap();
    assert_eq!(at, format!("{}:5:13", file.display()));

    let destroy = host.destroy_plan().await.unwrap();
    assert!(
        destroy
            .changes
            .iter()
            .any(|c| c.id == lamp("dummy1") && c.action == Action::Delete),
        "{destroy:?}"
    );
    host.destroy(&destroy).await.unwrap();
    assert!(lamps.lock().unwrap().is_empty());
}
