//! The `nfs` family: present when the topology has `[nfs]`.

use async_trait::async_trait;

use aio_engine::{Provider, ProviderName, Resource, ResourceId};
use aio_family::{Context, Family, FamilyError, Wanted};
use aio_topology::{Span, Topology};

use crate::PROVIDER;
use crate::attrs::{self, DIR, EXPORT};
use crate::provider::NfsProvider;
use crate::spec::{self, Export};
use crate::system::System;

/// What a rehearsal says of `[nfs]`.
const REHEARSAL: &str =
    "[nfs]: exports are the host's, not a network namespace's: a rehearsal leaves them out";

/// Exported directories and aio's drop-in.
pub struct Nfs;

#[async_trait]
impl Family for Nfs {
    fn name(&self) -> ProviderName {
        PROVIDER
    }

    fn wanted(&self, cx: Context<'_>) -> Result<Wanted, FamilyError> {
        if cx.topology.nfs.is_none() {
            return Ok(Wanted::default());
        }
        if cx.netns.is_some() {
            return Ok(Wanted {
                resources: Vec::new(),
                notes: vec![REHEARSAL.into()],
            });
        }
        let mut out = Vec::new();
        for e in exports(cx)? {
            out.push(
                Resource::new(attrs::dir_id(&e.path), PROVIDER).with_attrs(attrs::dir_wanted(&e)),
            );
            out.push(
                Resource::new(attrs::export_id(&e.path), PROVIDER)
                    .with_attrs(attrs::export_wanted(&e))
                    .after(attrs::dir_id(&e.path)),
            );
        }
        Ok(out.into())
    }

    async fn provider(&self, cx: Context<'_>) -> Result<Option<Box<dyn Provider>>, FamilyError> {
        if cx.topology.nfs.is_none() || cx.netns.is_some() {
            return Ok(None);
        }
        Ok(Some(Box::new(NfsProvider::new(
            System::default(),
            exports(cx)?,
        ))))
    }

    fn locate(&self, topology: &Topology, id: &ResourceId) -> Option<Span> {
        if !(id.is(&DIR) || id.is(&EXPORT)) {
            return None;
        }
        let export = topology.nfs.as_ref()?.exports.get(id.name())?;
        Some(export.path_span.clone())
    }
}

fn exports(cx: Context<'_>) -> Result<Vec<Export>, FamilyError> {
    spec::exports(cx.topology, cx.facts).map_err(|fact| FamilyError::missing("[nfs]", fact))
}
