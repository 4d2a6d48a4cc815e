//! The Kolla deployment as a provider family: one resource, carried out by
//! kolla-ansible, after the links and addresses Kolla reads; and what to do
//! next once Kolla runs (Neutron's external network).

use async_trait::async_trait;

use aio_engine::{Action, Change, Plan, Provider, ProviderName, Resource, ResourceId};
use aio_family::{Context, Family, FamilyError, Probe, Teardown, Touched, Wanted, ids};
use aio_topology::{Facts, Span, Topology};
use tokio::sync::mpsc::UnboundedSender;

use crate::vip::{self, Chosen, Source};
use crate::{Deployment, KollaProvider, PROVIDER, RunState, neutron, resource_id};

/// The action after which Neutron's external network can be made.
const POST_DEPLOY: &str = "post-deploy";

/// The `kolla` family: present when the topology has `[kolla]`.
pub struct Kolla;

#[async_trait]
impl Family for Kolla {
    fn name(&self) -> ProviderName {
        PROVIDER
    }

    /// The VIP: the topology's, or the one `vip = "auto"` settles on (see
    /// [`vip`](crate::vip)), with where it came from, kept for the run.
    async fn facts(&self, probe: Probe<'_>, facts: &mut Facts) -> Result<(), FamilyError> {
        let Some(kolla) = probe.topology.and_then(|t| t.kolla.as_ref()) else {
            return Ok(());
        };
        let Some(state_dir) = probe.state_dir else {
            return Ok(());
        };
        let chosen =
            vip::choose(kolla, probe.netns, state_dir, facts).map_err(FamilyError::failed)?;
        facts.vip = Some(chosen.address);
        probe.shared.put(chosen);
        Ok(())
    }

    /// `vip`, and where it came from unless the topology names it.
    fn plan_facts(&self, cx: Context<'_>) -> Vec<(String, String)> {
        let Some(chosen) = cx.shared.get::<Chosen>() else {
            return Vec::new();
        };
        let shown = match &chosen.source {
            Source::Topology => chosen.address.to_string(),
            source => format!("{} ({source})", chosen.address),
        };
        vec![("vip".to_string(), shown)]
    }

    /// A rehearsal runs Kolla's actions only with a stand-in for kolla-ansible.
    fn stands_in(&self) -> bool {
        crate::stand_in()
    }

    fn wanted(&self, cx: Context<'_>) -> Result<Wanted, FamilyError> {
        let deployment = deployment(cx)?;
        // Cinder's share is exported first, on a host (a rehearsal leaves
        // exports out).
        let share = cx
            .topology
            .nfs
            .as_ref()
            .and_then(|n| n.cinder_share.as_ref());
        let export = share
            .filter(|_| cx.netns.is_none())
            .map(|p| ids::nfs_export(&p.value));
        Ok(deployment
            .iter()
            .map(|d| {
                let r = d.resource();
                match &export {
                    Some(id) => r.after(id.clone()),
                    None => r,
                }
            })
            .collect::<Vec<_>>()
            .into())
    }

    async fn provider(&self, cx: Context<'_>) -> Result<Option<Box<dyn Provider>>, FamilyError> {
        let Some(d) = deployment(cx)? else {
            return match cx.reruns.first() {
                Some(action) => Err(FamilyError::refused(format!(
                    "--rerun {action}: the topology has no [kolla], whose actions it reruns"
                ))),
                None => Ok(None),
            };
        };
        if let Some(unknown) = cx.reruns.iter().find(|a| !d.actions.contains(a)) {
            return Err(FamilyError::refused(format!(
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

    /// Keeps a VIP aio chose, so later runs keep it.
    fn before_apply(&self, cx: Context<'_>) -> Result<(), FamilyError> {
        match cx.shared.get::<Chosen>() {
            Some(chosen) if chosen.to_remember() => {
                vip::remember(cx.state_dir, chosen.address).map_err(FamilyError::failed)
            }
            _ => Ok(()),
        }
    }

    /// `kolla-ansible destroy`, confirmed by typing the Kolla config dir.
    fn teardown(&self, cx: Context<'_>) -> Result<Option<Teardown>, FamilyError> {
        Ok(deployment(cx)?.map(|d| Teardown {
            name: "kolla-ansible destroy".into(),
            removes: "every OpenStack container and volume".into(),
            confirm_with: d.config_dir.display().to_string(),
        }))
    }

    fn run_teardown(&self, cx: Context<'_>) -> Result<(), FamilyError> {
        let Some(d) = deployment(cx)? else {
            return Ok(());
        };
        KollaProvider::new(d, cx.state_dir, cx.netns.map(str::to_string))
            .destroy()
            .map_err(FamilyError::failed)
    }

    /// Kolla's containers need the host's links first.
    fn after_host(&self) -> bool {
        true
    }

    /// The files aio writes under the config dir, on inotify: an edit, a
    /// deletion or a replacement is looked at at once.
    async fn follow(
        &self,
        cx: Context<'_>,
        resources: &[Resource],
        changed: UnboundedSender<Touched>,
    ) -> Result<(), FamilyError> {
        let Some(d) = deployment(cx)? else {
            return Ok(());
        };
        if !resources.iter().any(|r| r.id == resource_id()) {
            return Ok(());
        }
        let files = d.files.keys().map(|f| d.config_dir.join(f)).collect();
        let ours = Touched::from(vec![resource_id()]);
        tokio::spawn(crate::follow::follow(files, ours, changed));
        Ok(())
    }

    /// Neutron's external network: in `aio show`, and after an apply that
    /// ran `post-deploy`, unless `[neutron.external_network]` has aio make it.
    fn next_steps(&self, cx: Context<'_>, applied: Option<&Plan>) -> Vec<String> {
        let Some(kolla) = &cx.topology.kolla else {
            return Vec::new();
        };
        // Declared, the external network is aio's to make: nothing to print.
        let declared = cx.topology.neutron.as_ref();
        if declared.is_some_and(|n| n.external_network.is_some()) {
            return Vec::new();
        }
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
    if !actions.iter().any(|a| a == POST_DEPLOY) || change.action == Action::Adopt {
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
    // Nothing ran before (`null`), or a state this aio does not know: all run.
    match before.to_typed::<Option<RunState>>() {
        Ok(Some(state)) => state.runs(POST_DEPLOY, actions),
        Ok(None) | Err(_) => true,
    }
}

/// What the topology's `[kolla]` renders to, if it has one.
pub fn deployment(cx: Context<'_>) -> Result<Option<Deployment>, FamilyError> {
    Deployment::new(cx.topology, cx.facts).map_err(|fact| FamilyError::missing("[kolla]", fact))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use aio_engine::TypedAttrs;

    use super::*;
    use crate::KollaAttrs;

    fn attrs(inputs: Option<RunState>) -> aio_engine::Attrs {
        KollaAttrs {
            package: Some("kolla-ansible".into()),
            files: BTreeMap::new(),
            globals_yml: "present".into(),
            passwords: "complete".into(),
            inputs,
        }
        .to_attrs()
    }

    /// The deployment's change from what was observed to what is wanted.
    fn change(action: Action, before: Option<RunState>) -> Change {
        Change {
            id: resource_id(),
            provider: PROVIDER,
            action,
            before: Some(attrs(before)),
            after: Some(std::sync::Arc::new(attrs(Some(RunState::Done(
                "1f0c5e9a7b3d2c48".into(),
            ))))),
            detail: None,
            deps: Vec::new(),
        }
    }

    #[test]
    fn post_deploy_ran_as_the_observed_run_state_says() {
        let actions: Vec<String> = ["prechecks", "deploy", POST_DEPLOY]
            .map(String::from)
            .into();
        let ran = |action, before, reruns: &[String]| {
            ran_post_deploy(&change(action, before), &actions, reruns)
        };
        assert!(ran(Action::Update, None, &[]));
        assert!(ran(Action::Update, Some(RunState::Changed), &[]));
        assert!(ran(
            Action::Update,
            Some(RunState::FailedAt("deploy".into())),
            &[]
        ));
        assert!(ran(
            Action::Update,
            Some(RunState::FailedAt(POST_DEPLOY.into())),
            &[]
        ));
        let rerun = Some(RunState::Rerun(vec!["deploy".into()]));
        assert!(!ran(Action::Update, rerun.clone(), &["deploy".into()]));
        assert!(ran(Action::Update, rerun, &[POST_DEPLOY.into()]));
        assert!(!ran(Action::Adopt, Some(RunState::Changed), &[]));
        let without: Vec<String> = ["prechecks", "deploy"].map(String::from).into();
        assert!(!ran_post_deploy(
            &change(Action::Update, None),
            &without,
            &[]
        ));
    }
}
