//! Why a family cannot be opened or do its work: a kind a caller matches
//! on, a message for a person, and the typed error underneath when there
//! is one.

use std::error::Error;

use aio_topology::MissingFact;

/// What went wrong, for a caller to decide on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FamilyErrorKind {
    /// The topology relies on a fact the system does not give: `${uplink}`
    /// without one, no default route to find `uplink = "auto"` by, an
    /// uplink that does not exist.
    MissingFact,
    /// The family cannot reach what it manages (netlink, OVSDB).
    Unreachable,
    /// The run asked for something the family cannot do (`--rerun` of an
    /// action the topology does not have).
    Refused,
    /// The family's own work failed (choosing the VIP, keeping it,
    /// `kolla-ansible destroy`).
    Failed,
}

/// A family's error: [`kind`](FamilyError::kind) to match on, the message
/// as it is shown, and, where there is one, the typed error it comes from
/// ([`source_as`](FamilyError::source_as)).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct FamilyError {
    kind: FamilyErrorKind,
    message: String,
    #[source]
    source: Option<Box<dyn Error + Send + Sync + 'static>>,
}

impl FamilyError {
    /// An error of `kind` with only a message.
    pub fn new(kind: FamilyErrorKind, message: impl Into<String>) -> FamilyError {
        FamilyError {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// An error of `kind` that `source` explains; its message is `source`'s.
    pub fn from_source(
        kind: FamilyErrorKind,
        source: impl Error + Send + Sync + 'static,
    ) -> FamilyError {
        FamilyError {
            kind,
            message: source.to_string(),
            source: Some(Box::new(source)),
        }
    }

    /// `section` of the topology uses `fact`, which the system does not give.
    pub fn missing(section: &str, fact: MissingFact) -> FamilyError {
        FamilyError {
            kind: FamilyErrorKind::MissingFact,
            message: format!("{section}: {fact}"),
            source: Some(Box::new(fact)),
        }
    }

    /// What the family manages cannot be reached, because of `source`.
    pub fn unreachable(source: impl Error + Send + Sync + 'static) -> FamilyError {
        FamilyError::from_source(FamilyErrorKind::Unreachable, source)
    }

    /// The run asked for what the family cannot do.
    pub fn refused(message: impl Into<String>) -> FamilyError {
        FamilyError::new(FamilyErrorKind::Refused, message)
    }

    /// The family's own work failed, because of `source`.
    pub fn failed(source: impl Error + Send + Sync + 'static) -> FamilyError {
        FamilyError::from_source(FamilyErrorKind::Failed, source)
    }

    pub fn kind(&self) -> FamilyErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The typed error underneath, if it is an `E`.
    pub fn source_as<E: Error + 'static>(&self) -> Option<&E> {
        self.source.as_deref()?.downcast_ref::<E>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("socket closed")]
    struct Closed;

    #[test]
    fn a_missing_fact_keeps_its_kind_its_words_and_the_fact() {
        let e = FamilyError::missing("[kolla]", MissingFact("uplink".into()));
        assert_eq!(e.kind(), FamilyErrorKind::MissingFact);
        assert_eq!(e.to_string(), "[kolla]: `${uplink}` is not known here");
        assert_eq!(
            e.source_as::<MissingFact>(),
            Some(&MissingFact("uplink".into()))
        );
        assert!(e.source_as::<Closed>().is_none());
    }

    #[test]
    fn each_constructor_gives_its_kind_and_shows_the_cause() {
        let unreachable = FamilyError::unreachable(Closed);
        assert_eq!(unreachable.kind(), FamilyErrorKind::Unreachable);
        assert_eq!(unreachable.to_string(), "socket closed");
        assert!(unreachable.source_as::<Closed>().is_some());
        let failed = FamilyError::failed(Closed);
        assert_eq!(failed.kind(), FamilyErrorKind::Failed);
        let refused = FamilyError::refused("--rerun nope: not one of [kolla] actions");
        assert_eq!(refused.kind(), FamilyErrorKind::Refused);
        assert_eq!(
            refused.message(),
            "--rerun nope: not one of [kolla] actions"
        );
        assert!(std::error::Error::source(&refused).is_none());
    }
}
