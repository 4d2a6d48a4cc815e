//! Carrying out the NAT changes of one plan. aio's own rules come first:
//! one `nft` transaction makes and deletes aio's rules and deletes the old
//! installer's iptables-nft rules, so a masquerade is never missing in
//! between; only then are the installer's iptables-legacy rules deleted,
//! in one `iptables-legacy-restore`. A foreign rule is deleted only if it
//! is still exactly the installer's when the work starts.

use std::collections::HashMap;

use nftables::types::NfFamily;

use aio_engine::{Action, Change, ResourceId, TypedAttrs};

use crate::error::NatError;
use crate::foreign::{self, ForeignRule, Place};
use crate::ruleset::{self, NewRule, RuleAt};
use crate::{NAT, NatAttrs};

/// Why the work stopped, and whether aio's transaction had taken effect.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WorkError {
    /// Nothing was changed.
    #[error("{0}")]
    Nothing(NatError),
    /// aio's rules are in place; the old legacy rules were not deleted.
    #[error(
        "{0}; aio's own rules are in place and the old iptables-legacy rules were left as they were, so the traffic is still masqueraded"
    )]
    LegacyLeft(NatError),
}

impl WorkError {
    /// What stopped the work.
    pub(crate) fn cause(&self) -> &NatError {
        match self {
            WorkError::Nothing(e) | WorkError::LegacyLeft(e) => e,
        }
    }
}

/// An installer's rule to delete: where it is and what it did when planned.
#[derive(Debug, Clone)]
struct Theirs {
    id: ResourceId,
    place: Place,
    source: String,
    out: String,
}

/// The NAT work of one apply.
pub(crate) struct Work {
    /// aio's rules whose every copy goes (deleted, or changed and made again).
    deleted: Vec<String>,
    added: Vec<NewRule>,
    theirs: Vec<Theirs>,
}

impl Work {
    pub(crate) fn of(changes: &[&Change]) -> Result<Work, WorkError> {
        let ours = |c: &&&Change| c.id.is(&NAT);
        // An adopted rule already in aio's table stays as it is; one taken
        // over from another table is made here, as the other goes.
        let makes = |c: &&&Change| match c.action {
            Action::Create | Action::Update | Action::Replace => true,
            Action::Adopt => c.before.is_none(),
            Action::Delete => false,
        };
        let deleted = changes
            .iter()
            .filter(ours)
            .filter(|c| matches!(c.action, Action::Delete | Action::Update | Action::Replace))
            .map(|c| c.id.to_string())
            .collect();
        let added = changes
            .iter()
            .filter(ours)
            .filter(makes)
            .filter_map(|c| new_rule(c))
            .collect();
        let mut theirs = Vec::new();
        for c in changes.iter().filter(|c| c.action == Action::Delete) {
            let Some(place) = Place::of(&c.id) else {
                continue;
            };
            let did = c.before.as_ref().and_then(|b| NatAttrs::from_attrs(b).ok());
            let Some(NatAttrs {
                source: Some(source),
                out: Some(out),
                ..
            }) = did
            else {
                return Err(WorkError::Nothing(NatError::Unplanned { id: c.id.clone() }));
            };
            theirs.push(Theirs {
                id: c.id.clone(),
                place,
                source,
                out,
            });
        }
        Ok(Work {
            deleted,
            added,
            theirs,
        })
    }

    /// The ids of `changes` that aio's own transaction carries out, and
    /// the rest: the legacy deletions.
    pub(crate) fn split(changes: &[&Change]) -> (Vec<ResourceId>, Vec<ResourceId>) {
        let (legacy, made): (Vec<&Change>, Vec<&Change>) = changes
            .iter()
            .partition(|c| matches!(Place::of(&c.id), Some(Place::Legacy { .. })));
        let ids = |cs: Vec<&Change>| cs.into_iter().map(|c| c.id.clone()).collect();
        (ids(made), ids(legacy))
    }

    /// Does the work. Call in the namespace.
    pub(crate) fn run(self) -> Result<(), WorkError> {
        // Only an adoption takes over others' rules: an ordinary apply does
        // not list them.
        let (nft_rules, legacy) = if self.theirs.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            self.still_theirs(&foreign::list().map_err(WorkError::Nothing)?)?
        };
        // Handles are read again now: they are what `nft` deletes by.
        // Every rule carrying a changed id goes (copies included).
        let current = ruleset::list().map_err(WorkError::Nothing)?;
        let handles: Vec<u32> = self
            .deleted
            .iter()
            .filter_map(|id| current.rules.get(id))
            .flatten()
            .map(|r| r.handle)
            .collect();
        let kept = current
            .rules
            .keys()
            .filter(|id| !self.deleted.contains(id))
            .count();
        // The table goes only when nothing is left in it, aio's or anyone's.
        let empty = kept + self.added.len() == 0 && current.foreign == 0;
        let batch = ruleset::batch(&handles, &self.added, empty, &nft_rules);
        tracing::debug!(
            "nft batch: {}",
            serde_json::to_string(&batch).unwrap_or_default()
        );
        ruleset::apply(&batch).map_err(WorkError::Nothing)?;
        foreign::legacy::delete(&legacy).map_err(WorkError::LegacyLeft)
    }

    /// The installer's rules to delete that are still exactly the
    /// installer's: nftables rules by handle, legacy ones as `(source,
    /// out)` (one deletion each, no more than there are now). One that is
    /// gone is already deleted; one that changed stops everything.
    #[allow(clippy::type_complexity)]
    fn still_theirs(
        &self,
        now: &[ForeignRule],
    ) -> Result<(Vec<RuleAt>, Vec<(String, String)>), WorkError> {
        let mut nft_rules = Vec::new();
        let mut legacy = Vec::new();
        let mut legacy_left: HashMap<(&str, &str), usize> = HashMap::new();
        for r in now
            .iter()
            .filter(|r| matches!(r.place, Place::Legacy { .. }))
        {
            for t in &self.theirs {
                if r.is_installers(&t.source, &t.out) {
                    *legacy_left.entry((&t.source, &t.out)).or_default() += 1;
                    break;
                }
            }
        }
        for t in &self.theirs {
            match &t.place {
                Place::Nft {
                    family,
                    table,
                    chain,
                    handle,
                } => {
                    let Some(rule) = now.iter().find(|r| r.id == t.id) else {
                        continue;
                    };
                    if !rule.is_installers(&t.source, &t.out) {
                        return Err(WorkError::Nothing(NatError::ChangedSincePlan {
                            id: t.id.clone(),
                            why: rule.why_not(&t.source, &t.out),
                        }));
                    }
                    let family: NfFamily = serde_json::from_value(serde_json::Value::String(
                        family.clone(),
                    ))
                    .map_err(|source| {
                        WorkError::Nothing(NatError::UnknownFamily {
                            id: t.id.clone(),
                            source,
                        })
                    })?;
                    nft_rules.push((family, table.clone(), chain.clone(), *handle));
                }
                Place::Legacy { .. } => {
                    if let Some(n) = legacy_left
                        .get_mut(&(t.source.as_str(), t.out.as_str()))
                        .filter(|n| **n > 0)
                    {
                        *n -= 1;
                        legacy.push((t.source.clone(), t.out.clone()));
                    }
                }
            }
        }
        Ok((nft_rules, legacy))
    }
}

fn new_rule(c: &Change) -> Option<NewRule> {
    let after = NatAttrs::from_attrs(c.after.as_deref()?).ok()?;
    let source: ipnet::Ipv4Net = after.source?.parse().ok()?;
    Some(NewRule {
        id: c.id.to_string(),
        addr: source.addr().to_string(),
        len: u32::from(source.prefix_len()),
        out: after.out?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foreign::rule::Form;
    use crate::foreign::save::Installers;
    use crate::foreign::{LEGACY_RULE, NFT_RULE};

    fn installers() -> Installers {
        Installers {
            source: "10.0.2.0/24".into(),
            out: "eth0".into(),
        }
    }

    fn rule(id: ResourceId, form: Form) -> ForeignRule {
        ForeignRule {
            place: Place::of(&id).unwrap_or(Place::Legacy {
                chain: "POSTROUTING".into(),
            }),
            id,
            source: Some("10.0.2.0/24".into()),
            out: Some("eth0".into()),
            form,
        }
    }

    /// The deletion of `id` as an adoption plan has it.
    fn deletion(id: &ResourceId) -> Change {
        Change {
            id: id.clone(),
            provider: crate::PROVIDER,
            action: Action::Delete,
            before: Some(
                rule(id.clone(), Form::Installers(installers()))
                    .does()
                    .to_attrs(),
            ),
            after: None,
            deps: Vec::new(),
            detail: None,
        }
    }

    fn work(ids: &[&ResourceId]) -> Work {
        let changes: Vec<Change> = ids.iter().map(|id| deletion(id)).collect();
        let refs: Vec<&Change> = changes.iter().collect();
        Work::of(&refs).unwrap()
    }

    #[test]
    fn a_rule_changed_since_the_plan_stops_everything_and_a_gone_one_is_skipped() {
        let nft = ResourceId::new(&NFT_RULE, "ip/nat/POSTROUTING/4");
        let gone = ResourceId::new(&NFT_RULE, "ip/nat/POSTROUTING/5");
        let w = work(&[&nft, &gone]);
        let still = [rule(nft.clone(), Form::Installers(installers()))];
        let (nft_rules, legacy) = w.still_theirs(&still).unwrap();
        assert_eq!(nft_rules.len(), 1, "{nft_rules:?}");
        assert_eq!(nft_rules[0].3, 4);
        assert!(legacy.is_empty());

        // `nft replace` kept the handle and changed the rule.
        let replaced = [rule(nft.clone(), Form::Other("it reads `...`".into()))];
        let Err(WorkError::Nothing(why)) = w.still_theirs(&replaced) else {
            panic!("a changed rule was deleted");
        };
        let why = why.to_string();
        assert!(why.contains("changed since the plan"), "{why}");
    }

    #[test]
    fn no_more_legacy_rules_are_deleted_than_there_are() {
        let ids: Vec<ResourceId> = (1..=3)
            .map(|n| ResourceId::new(&LEGACY_RULE, format!("nat/POSTROUTING/{n}")))
            .collect();
        let w = work(&ids.iter().collect::<Vec<_>>());
        // Two of the three are left now; a third that resembles them is not the installer's.
        let now = [
            rule(ids[0].clone(), Form::Installers(installers())),
            rule(ids[1].clone(), Form::Installers(installers())),
            rule(ids[2].clone(), Form::Other("it reads `...--random`".into())),
        ];
        let (nft_rules, legacy) = w.still_theirs(&now).unwrap();
        assert!(nft_rules.is_empty());
        assert_eq!(legacy.len(), 2, "{legacy:?}");
    }
}
