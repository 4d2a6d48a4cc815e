//! For random desired and observed sets, applying the plan to a model of the
//! system yields the desired state, leaves what aio does not own alone, and
//! the next plan is empty.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aio_engine::*;
use async_trait::async_trait;
use proptest::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// A system of objects: id -> attributes.
#[derive(Clone, Default)]
struct Model(Arc<Mutex<BTreeMap<ResourceId, Attrs>>>);

#[async_trait]
impl Provider for Model {
    fn name(&self) -> ProviderName {
        ProviderName::new("model")
    }
    async fn observe(&self, ids: &[ResourceId]) -> Result<Observed, ProviderError> {
        let objects = self.0.lock().unwrap();
        Ok(ids
            .iter()
            .filter_map(|id| objects.get(id).map(|a| (id.clone(), a.clone())))
            .collect())
    }
    async fn apply(&self, changes: &[&Change]) -> Result<(), ProviderError> {
        let mut objects = self.0.lock().unwrap();
        for c in changes {
            match (&c.action, &c.after) {
                (Action::Delete, _) => drop(objects.remove(&c.id)),
                (Action::Replace, Some(after)) => {
                    drop(objects.insert(c.id.clone(), Attrs::clone(after)))
                }
                (_, Some(after)) => objects
                    .entry(c.id.clone())
                    .or_default()
                    .extend(Attrs::clone(after)),
                (_, None) => {}
            }
        }
        Ok(())
    }
}

fn id(i: usize) -> ResourceId {
    ResourceId::new(&Kind::new("obj"), i.to_string())
}

fn attrs(kind: u8, value: u8) -> Attrs {
    Attrs::from_value(json!({"kind": kind % 2, "value": value})).unwrap()
}

/// Desired resources (each may depend on earlier ones), and what exists
/// before: some of them with other attributes, and foreign objects.
/// Desired `(kind, value, deps)` and existing `(index, kind, value)`.
type Scenario = (Vec<(u8, u8, Vec<usize>)>, Vec<(usize, u8, u8)>);

fn scenario() -> impl Strategy<Value = Scenario> {
    (1usize..12).prop_flat_map(|n| {
        let desired = proptest::collection::vec(
            (
                any::<u8>(),
                any::<u8>(),
                proptest::collection::vec(0..n, 0..3),
            ),
            n,
        );
        let existing = proptest::collection::vec((0..n + 6, any::<u8>(), any::<u8>()), 0..10);
        (desired, existing)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn applying_the_plan_converges_and_leaves_foreign_objects(
        (desired, existing) in scenario()
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let model = Model::default();
        let n = desired.len();
        {
            let mut objects = model.0.lock().unwrap();
            for (i, kind, value) in &existing {
                objects.insert(id(*i), attrs(*kind, *value));
            }
        }
        let before = model.0.lock().unwrap().clone();
        let resources: Vec<Resource> = desired
            .iter()
            .enumerate()
            .map(|(i, (kind, value, deps))| {
                // Only on earlier resources: no cycle.
                let earlier = deps.iter().filter(|d| **d < i).map(|d| id(*d));
                earlier.fold(
                    Resource::new(id(i), "model").with_attrs(attrs(*kind, *value)),
                    Resource::after,
                )
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::new(dir.path()).with_provider(Box::new(model.clone()));
        runtime.block_on(async {
            let plan = engine.plan(&resources).await.unwrap();
            engine.apply(&plan, &resources).await.unwrap();
            let again = engine.plan(&resources).await.unwrap();
            prop_assert!(again.is_empty(), "{again:?}");
            Ok(())
        })?;
        let after = model.0.lock().unwrap().clone();
        for r in &resources {
            for (k, v) in r.attrs.iter() {
                prop_assert_eq!(after[&r.id].get(k), Some(v));
            }
        }
        // Objects outside the topology are as they were: aio owns none of them.
        for (oid, a) in before.iter().filter(|(oid, _)| !resources.iter().any(|r| &r.id == *oid)) {
            prop_assert_eq!(after.get(oid), Some(a));
        }
        // Dropping everything deletes exactly what aio made, nothing it found.
        runtime.block_on(async {
            let plan = engine.plan(&[]).await.unwrap();
            engine.apply(&plan, &[]).await.unwrap();
        });
        let left = model.0.lock().unwrap().clone();
        for i in 0..n {
            prop_assert_eq!(left.contains_key(&id(i)), before.contains_key(&id(i)));
        }
    }
}
