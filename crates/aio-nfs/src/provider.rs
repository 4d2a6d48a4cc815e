//! The `nfs` provider: exported directories and aio's drop-in, made real
//! with one `exportfs -ra` per apply that changes an export.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use serde_json::json;

use aio_engine::{
    Action, Change, Foreign, Observed, Provider, ProviderError, ProviderName, Resource, ResourceId,
};

use crate::PROVIDER;
use crate::attrs::{self, DIR, EXPORT, EXPORTS_LINE};
use crate::exports::{self, Entry};
use crate::spec::Export;
use crate::system::{Database, System};

pub struct NfsProvider {
    system: System,
    /// What the topology wants, by path.
    wanted: BTreeMap<String, Export>,
    /// The drop-in's lines by path, as last observed.
    seen: Mutex<BTreeMap<String, String>>,
}

impl NfsProvider {
    pub fn new(system: System, wanted: Vec<Export>) -> Self {
        NfsProvider {
            system,
            wanted: wanted.into_iter().map(|e| (e.path.clone(), e)).collect(),
            seen: Mutex::new(BTreeMap::new()),
        }
    }

    fn export_of(&self, id: &ResourceId) -> Result<&Export, ProviderError> {
        self.wanted
            .get(id.name())
            .ok_or_else(|| ProviderError::invalid(format!("{id}: not an export of the topology")))
    }
}

#[async_trait]
impl Provider for NfsProvider {
    fn name(&self) -> ProviderName {
        PROVIDER
    }

    async fn observe(&self, ids: &[ResourceId]) -> Result<Observed, ProviderError> {
        let mut out = Observed::new();
        for id in ids.iter().filter(|id| id.is(&DIR)) {
            let wanted = self.export_of(id)?;
            if let Some(found) = self.system.directory(id.name())? {
                out.insert(id.clone(), attrs::dir_found(found, wanted, &self.system));
            }
        }
        if !ids.iter().any(|id| id.is(&EXPORT)) {
            return Ok(out);
        }
        self.system.server_running()?;
        let text = self.system.drop_in()?.unwrap_or_default();
        let lines: BTreeMap<String, String> = exports::entries(&text)
            .into_iter()
            .filter_map(|e| Some((e.path()?, e.text)))
            .collect();
        let exported = self.system.exported()?;
        for id in ids.iter().filter(|id| id.is(&EXPORT)) {
            let Some(line) = lines.get(id.name()) else {
                continue;
            };
            let now = exported.get(id.name());
            let clients = self
                .wanted
                .get(id.name())
                .map(|w| w.clients.as_slice())
                .unwrap_or_default();
            let all = now.is_some_and(|n| !n.is_empty() && clients.iter().all(|c| n.contains(c)));
            out.insert(id.clone(), attrs::export_found(line, all));
        }
        *self.seen.lock().unwrap_or_else(PoisonError::into_inner) = lines;
        Ok(out)
    }

    /// The lines of `/etc/exports` that export a path aio exports.
    async fn foreign(&self, wanted: &[&Resource]) -> Result<Vec<Foreign>, ProviderError> {
        let text = self.system.etc_exports()?.unwrap_or_default();
        let entries = exports::entries(&text);
        let mut out = Vec::new();
        for r in wanted.iter().filter(|r| r.id.is(&EXPORT)) {
            for e in entries
                .iter()
                .filter(|e| e.path().as_deref() == Some(r.id.name()))
            {
                let attrs = json!({"line": e.text, "first": e.first, "last": e.last});
                out.push(Foreign {
                    id: ResourceId::new(
                        &EXPORTS_LINE,
                        format!("{}:{}", exports::ETC_EXPORTS, e.first),
                    ),
                    of: r.id.clone(),
                    attrs: aio_engine::Attrs::from_value(attrs).unwrap_or_default(),
                    left_alone: None,
                });
            }
        }
        Ok(out)
    }

    /// The directory holds Cinder's volumes: `aio destroy` leaves it.
    fn deletes(&self, id: &ResourceId) -> bool {
        !id.is(&DIR)
    }

    /// Nor does aio take a directory over: it keeps its owner and mode,
    /// as it keeps a sysctl, without making it its own.
    fn adoptable(&self, wanted: &Resource) -> bool {
        !wanted.id.is(&DIR)
    }

    fn atomic(&self) -> bool {
        true
    }

    async fn apply(&self, changes: &[&Change]) -> Result<(), ProviderError> {
        for c in changes.iter().filter(|c| c.id.is(&DIR)) {
            if matches!(c.action, Action::Create | Action::Update | Action::Replace) {
                let e = self.export_of(&c.id)?;
                let uid = self.system.id_of(&e.owner, Database::Users)?;
                let gid = self.system.id_of(&e.group, Database::Groups)?;
                self.system.make_directory(&e.path, uid, gid, e.mode)?;
            }
        }
        let mut lines = self
            .seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut touched = false;
        let mut moved: Vec<Entry> = Vec::new();
        for c in changes {
            if c.id.is(&EXPORT) {
                touched = true;
                match c.action {
                    Action::Delete => drop(lines.remove(c.id.name())),
                    _ => drop(
                        lines.insert(c.id.name().to_string(), self.export_of(&c.id)?.line.clone()),
                    ),
                }
            } else if c.id.is(&EXPORTS_LINE) && c.action == Action::Delete {
                touched = true;
                moved.push(entry_of(c)?);
            }
        }
        if !touched {
            return Ok(());
        }
        // The drop-in first, then /etc/exports without what it took over,
        // then one exportfs: the path is never left unexported.
        let kept: Vec<String> = lines.into_values().collect();
        let text = (!kept.is_empty()).then(|| exports::render(&kept));
        self.system.write_drop_in(text.as_deref())?;
        if !moved.is_empty() {
            let now = self.system.etc_exports()?.unwrap_or_default();
            let found = exports::entries(&now);
            if let Some(e) = moved.iter().find(|m| !found.contains(m)) {
                return Err(ProviderError::conflict(format!(
                    "{} changed since the plan (line {}: {}): plan again",
                    exports::ETC_EXPORTS,
                    e.first,
                    e.text
                )));
            }
            self.system
                .write_etc_exports(&exports::without(&now, &moved))?;
        }
        self.system.exportfs()
    }
}

/// The `/etc/exports` entry a foreign line's change names.
fn entry_of(c: &Change) -> Result<Entry, ProviderError> {
    let before = c.before.as_ref();
    let field = |k: &str| before.and_then(|b| b.get(k));
    let number = |k: &str| {
        field(k)
            .and_then(aio_engine::AttrValue::as_u64)
            .map(|n| n as usize)
    };
    match (
        field("line").and_then(|v| v.as_str()),
        number("first"),
        number("last"),
    ) {
        (Some(text), Some(first), Some(last)) => Ok(Entry {
            first,
            last,
            text: text.to_string(),
        }),
        _ => Err(ProviderError::invalid(format!(
            "{}: not a line of {}",
            c.id,
            exports::ETC_EXPORTS
        ))),
    }
}
