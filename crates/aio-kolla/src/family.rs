//! The Kolla deployment as a provider family: one resource, carried out by
//! kolla-ansible, after the links and addresses Kolla reads; and what to do
//! next once Kolla runs (Neutron's external network).

use async_trait::async_trait;

use aio_engine::{Action, Change, Plan, Provider, ResourceId};
use aio_family::{Context, Family, FamilyError, Wanted};
use aio_topology::{Span, Topology};

use crate::{Deployment, KollaProvider, PROVIDER, neutron, resource_id};

/// The action after which Neutron's external network can be made.
const POST_DEPLOY: &str = "post-deploy";

/// The `kolla` family: present when the topology has `[kolla]`.
pub struct Kolla;

#[async_trait]
impl Family for Kolla {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn wanted(&self, cx: Context<'_>) -> Result<Wanted, FamilyError> {
        let deployment = deployment(cx)?;
        Ok(deployment
            .iter()
            .map(Deployment::resource)
            .collect::<Vec<_>>()
            .into())
    }

    async fn provider(&self, cx: Context<'_>) -> Result<Option<Box<dyn Provider>>, FamilyError> {
        let Some(d) = deployment(cx)? else {
            return match cx.reruns.first() {
                Some(action) => Err(FamilyError::Refused(format!(
                    "--rerun {action}: the topology has no [kolla], whose actions it reruns"
                ))),
                None => Ok(None),
            };
        };
        if let Some(unknown) = cx.reruns.iter().find(|a| !d.actions.contains(a)) {
            return Err(FamilyError::Refused(format!(
                "--rerun {unknown}: not one of [kolla] actions ({})",
                if d.actions.is_empty() {
                    "none".to_string()
                } else {
                    d.actions.join(", ")
                }
            )));
        }
        let netns = cx.netns.map(str::to_string);
        Ok(Some(Box::new(
            KollaProvider::new(d, cx.state_dir, netns).with_reruns(cx.reruns.to_vec()),
        )))
    }

    fn locate(&self, topology: &Topology, id: &ResourceId) -> Option<Span> {
        let kolla = topology.kolla.as_ref()?;
        (*id == resource_id()).then(|| kolla.vip.span.clone())
    }

    /// Kolla's containers need the host's links first.
    fn after_host(&self) -> bool {
        true
    }

    /// Neutron's external network: in `aio show`, and after an apply that
    /// ran `post-deploy`.
    fn next_steps(&self, cx: Context<'_>, applied: Option<&Plan>) -> Vec<String> {
        let Some(kolla) = &cx.topology.kolla else {
            return Vec::new();
        };
        if let Some(plan) = applied {
            let change = plan.changes.iter().find(|c| c.id == resource_id());
            if !change.is_some_and(|c| ran_post_deploy(c, &kolla.actions, cx.reruns)) {
                return Vec::new();
            }
        }
        neutron::external_network(cx.topology, cx.facts)
            .map(|net| net.text(&kolla.config_dir))
            .into_iter()
            .collect()
    }
}

/// Whether applying `change` ran `post-deploy`: asked for again, or among
/// the actions that ran because the inputs changed (after the one that
/// failed, when resuming).
fn ran_post_deploy(change: &Change, actions: &[String], reruns: &[String]) -> bool {
    let Some(at) = actions.iter().position(|a| a == POST_DEPLOY) else {
        return false;
    };
    if change.action == Action::Adopt {
        return false;
    }
    if reruns.iter().any(|a| a == POST_DEPLOY) {
        return true;
    }
    let Some((_, before, _)) = change
        .differences()
        .into_iter()
        .find(|(k, _, _)| *k == "inputs")
    else {
        return false;
    };
    match before.as_str() {
        Some(b) if b.starts_with("rerun requested") => false,
        Some(b) => match b.strip_prefix("failed at ") {
            Some(failed) => actions
                .iter()
                .position(|a| a == failed)
                .is_none_or(|f| f <= at),
            None => true,
        },
        None => true,
    }
}

/// What the topology's `[kolla]` renders to, if it has one.
pub fn deployment(cx: Context<'_>) -> Result<Option<Deployment>, FamilyError> {
    Deployment::new(cx.topology, cx.facts).map_err(|fact| FamilyError::Missing {
        section: "[kolla]",
        fact,
    })
}
