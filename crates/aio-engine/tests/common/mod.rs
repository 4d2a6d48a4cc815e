//! An in-memory provider standing in for a system, and builders of what the
//! engine's tests plan.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use aio_engine::*;
use async_trait::async_trait;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The attribute that plays an object's identity (its generation): objects
/// the provider makes get a new one; objects a test puts there have none
/// unless the test gives one.
pub const BORN: &str = "_born";
static GENERATION: AtomicU64 = AtomicU64::new(1);

/// A system of named objects with attributes; `sticky` makes it ignore writes,
/// `down` makes observing fail, and changes to `blocked` must wait.
#[derive(Clone, Default)]
pub struct Memory {
    pub objects: Arc<Mutex<BTreeMap<ResourceId, Attrs>>>,
    pub sticky: bool,
    pub down: bool,
    pub blocked: Option<&'static str>,
    pub name: Option<&'static str>,
    pub fail_on: Option<&'static str>,
}

#[async_trait]
impl Provider for Memory {
    fn name(&self) -> ProviderName {
        ProviderName::new(self.name.unwrap_or("mem"))
    }
    fn waiting(&self, change: &Change) -> Option<String> {
        (Some(change.id.name()) == self.blocked).then(|| "its bridge is not there yet".to_string())
    }
    async fn observe(&self, ids: &[ResourceId]) -> Result<Observed, ProviderError> {
        if self.down {
            return Err(ProviderError::unreachable(
                "cannot connect to unix:/nowhere",
            ));
        }
        let objects = self.objects.lock().unwrap();
        let mut out = Observed::new();
        for id in ids {
            let Some(attrs) = objects.get(id) else {
                continue;
            };
            let mut attrs = attrs.clone();
            match attrs.remove(BORN) {
                Some(born) => out.insert_identified(id.clone(), attrs, Identity(born.to_string())),
                None => out.insert(id.clone(), attrs),
            }
        }
        Ok(out)
    }
    async fn apply(&self, changes: &[&Change]) -> Result<(), ProviderError> {
        let mut objects = self.objects.lock().unwrap();
        for c in changes.iter().filter(|_| !self.sticky) {
            if Some(c.id.name()) == self.fail_on && c.after.is_some() {
                let made = changes
                    .iter()
                    .take_while(|d| d.id != c.id)
                    .map(|d| d.id.clone())
                    .collect();
                return Err(
                    ProviderError::failed(format!("{} cannot be made", c.id)).with_applied(made)
                );
            }
            match &c.after {
                Some(after) => objects
                    .entry(c.id.clone())
                    .or_insert_with(|| {
                        let born = GENERATION.fetch_add(1, Ordering::Relaxed);
                        Attrs::from_value(json!({ BORN: born })).unwrap()
                    })
                    .extend(Attrs::clone(after)),
                None => drop(objects.remove(&c.id)),
            }
        }
        Ok(())
    }
}

impl Memory {
    /// Puts object `id` with `attrs` (a JSON object) on the system, as
    /// someone other than aio would.
    pub fn put(&self, id: ResourceId, attrs: serde_json::Value) {
        let attrs = Attrs::from_value(attrs).unwrap();
        self.objects.lock().unwrap().insert(id, attrs);
    }
}

/// The kind of every object of the tests.
pub const OBJ: Kind = Kind::new("obj");

pub fn obj(name: &str) -> ResourceId {
    ResourceId::new(&OBJ, name)
}

/// `obj/NAME` of `kind`, after `deps`, replaced when its kind changes.
pub fn res(name: &str, kind: &str, deps: &[&str]) -> Resource {
    let attrs = Attrs::from_value(json!({"kind": kind})).unwrap();
    deps.iter().fold(
        Resource::new(obj(name), "mem")
            .with_attrs(attrs)
            .replaced_on(&["kind"]),
        |r, d| r.after(obj(d)),
    )
}

pub fn engine(mem: &Memory, dir: &tempfile::TempDir) -> Engine {
    Engine::new(dir.path()).with_provider(Box::new(mem.clone()))
}

/// `desired` planned by `e`, then applied.
pub async fn plan_and_apply(e: &Engine, desired: &[Resource]) -> Result<ApplyReport, ApplyError> {
    e.apply(&e.plan(desired).await.unwrap(), desired).await
}

pub fn actions(plan: &Plan) -> Vec<(String, Action)> {
    plan.changes
        .iter()
        .map(|c| (c.id.to_string(), c.action))
        .collect()
}
