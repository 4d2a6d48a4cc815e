//! The `neutron` family: present when the topology has `[neutron]`.

use std::path::PathBuf;

use async_trait::async_trait;

use aio_engine::{Provider, ProviderName, Resource, ResourceId};
use aio_family::{Context, Family, FamilyError, Wanted, ids};
use aio_topology::{Span, Topology};

use crate::attrs::{
    self, NETWORK_REPLACED_ON, NetworkAttrs, OCTAVIA, SUBNET_REPLACED_ON, SubnetAttrs,
};
use crate::provider::CloudProvider;
use crate::session::Sign;
use crate::spec::{External, Octavia};
use crate::{PROVIDER, locate};

/// The Kolla action that writes `clouds.yaml`.
const POST_DEPLOY: &str = "post-deploy";

/// The cloud side: Neutron's external network, Octavia's network checked.
pub struct Cloud;

#[async_trait]
impl Family for Cloud {
    fn name(&self) -> ProviderName {
        PROVIDER
    }

    fn wanted(&self, cx: Context<'_>) -> Result<Wanted, FamilyError> {
        let topology = cx.topology;
        if topology.neutron.is_none() {
            return Ok(Wanted::default());
        }
        // The clouds.yaml aio signs in with comes with Kolla's post-deploy:
        // while that runs, not being able to sign in means "wait".
        let provided = |r: Resource| match &topology.kolla {
            Some(k) if k.actions.iter().any(|a| a == POST_DEPLOY) => {
                r.provided_by(ids::kolla_deployment())
            }
            Some(_) => r.after(ids::kolla_deployment()),
            None => r,
        };
        let mut out = Vec::new();
        if let Some(external) = external(cx)? {
            out.push(provided(
                Resource::new(attrs::network_id(), PROVIDER)
                    .with_attrs(NetworkAttrs::wanted(&external))
                    .replaced_on(&NETWORK_REPLACED_ON),
            ));
            out.push(provided(
                Resource::new(attrs::subnet_id(), PROVIDER)
                    .with_attrs(SubnetAttrs::wanted(&external))
                    .replaced_on(&SUBNET_REPLACED_ON)
                    .after(attrs::network_id()),
            ));
        }
        if let Some(octavia) = Octavia::of(topology) {
            let wanted = attrs::octavia_wanted(&octavia);
            if !wanted.is_empty() {
                out.push(provided(
                    Resource::new(attrs::octavia_id(&octavia.name), PROVIDER)
                        .with_attrs(wanted)
                        .checked_only(),
                ));
            }
        }
        Ok(out.into())
    }

    async fn provider(&self, cx: Context<'_>) -> Result<Option<Box<dyn Provider>>, FamilyError> {
        let Some(neutron) = &cx.topology.neutron else {
            return Ok(None);
        };
        let clouds_yaml = match (&neutron.clouds_yaml, &cx.topology.kolla) {
            (Some(path), _) => PathBuf::from(&path.value),
            (None, Some(kolla)) => PathBuf::from(&kolla.config_dir).join("clouds.yaml"),
            (None, None) => {
                return Err(FamilyError::refused(
                    "[neutron] needs clouds_yaml when the topology has no [kolla]",
                ));
            }
        };
        let sign = Sign {
            clouds_yaml,
            cloud: neutron.cloud.value.clone(),
            netns: cx.netns.map(str::to_string),
        };
        Ok(Some(Box::new(CloudProvider::new(sign, external(cx)?))))
    }

    fn locate(&self, topology: &Topology, id: &ResourceId) -> Option<Span> {
        locate::resource(topology, id)
    }

    fn locate_key(&self, topology: &Topology, id: &ResourceId, key: &str) -> Vec<(Span, String)> {
        let places = match id.is(&OCTAVIA) {
            true => locate::octavia_key(topology, key),
            false => Vec::new(),
        };
        if places.is_empty() {
            return locate::resource(topology, id)
                .map(|s| (s, format!("what declares {id}")))
                .into_iter()
                .collect();
        }
        places
    }

    /// Neutron runs in Kolla's containers, after the host's plumbing.
    fn after_host(&self) -> bool {
        true
    }
}

fn external(cx: Context<'_>) -> Result<Option<External>, FamilyError> {
    External::of(cx.topology, cx.facts).map_err(|e| FamilyError::refused(e.0))
}
