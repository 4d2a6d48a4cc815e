//! Why one change to a link or an address failed ([`ChangeError`]), with a
//! [`ChangeErrorKind`] a caller matches on.

use aio_engine::{Action, Kind, ResourceId};

use crate::error::{EPERM, errno};

/// What kind of failure a change met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeErrorKind {
    /// The kernel refused for lack of privilege: aio needs root.
    NotPermitted,
    /// The kernel refused the request for another reason.
    Refused,
    /// A link the change needs (its master, its interface) does not exist.
    Missing,
    /// The change cannot be carried out as written: attributes that do not
    /// read, a link aio cannot create, an id of another family.
    Invalid,
}

/// Why the requests for one change could not be made, or were refused.
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    #[error(transparent)]
    Kernel(#[from] rtnetlink::Error),
    #[error("master \"{0}\" does not exist")]
    NoMaster(String),
    #[error("interface \"{0}\" does not exist")]
    NoInterface(String),
    #[error("aio cannot create a link of kind {} without what it needs", .0.as_deref().unwrap_or("none"))]
    CannotCreate(Option<String>),
    #[error("`{0}` is not an address")]
    NotAnAddress(String),
    #[error("unexpected attributes: {0}")]
    Attributes(#[from] serde_json::Error),
    #[error("the netlink provider has no resources of kind `{0}`")]
    OtherKind(Kind),
}

impl OpError {
    pub fn kind(&self) -> ChangeErrorKind {
        match self {
            OpError::Kernel(e) if errno(e) == Some(EPERM) => ChangeErrorKind::NotPermitted,
            OpError::Kernel(_) => ChangeErrorKind::Refused,
            OpError::NoMaster(_) | OpError::NoInterface(_) => ChangeErrorKind::Missing,
            OpError::CannotCreate(_)
            | OpError::NotAnAddress(_)
            | OpError::Attributes(_)
            | OpError::OtherKind(_) => ChangeErrorKind::Invalid,
        }
    }

    /// What the operator may do about it, after the message.
    fn hint(&self) -> &'static str {
        match self.kind() {
            ChangeErrorKind::NotPermitted => " (aio needs root)",
            _ => "",
        }
    }
}

/// One change that failed: `+ link/br-ex: master "br0" does not exist`.
#[derive(Debug, thiserror::Error)]
#[error("{} {id}: {cause}{}", .action.symbol(), .cause.hint())]
pub struct ChangeError {
    pub action: Action,
    pub id: ResourceId,
    #[source]
    pub cause: OpError,
}

impl ChangeError {
    pub fn kind(&self) -> ChangeErrorKind {
        self.cause.kind()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aio_family::ids;
    use std::num::NonZeroI32;

    fn kernel(errno: i32) -> OpError {
        let mut message = rtnetlink::packet_core::ErrorMessage::default();
        message.code = NonZeroI32::new(-errno);
        OpError::Kernel(rtnetlink::Error::NetlinkError(message))
    }

    fn failed(action: Action, id: ResourceId, cause: OpError) -> ChangeError {
        ChangeError { action, id, cause }
    }

    #[test]
    fn a_kernel_refusal_for_lack_of_privilege_says_aio_needs_root() {
        let e = failed(Action::Create, ids::link("br0"), kernel(EPERM));
        assert_eq!(e.kind(), ChangeErrorKind::NotPermitted);
        let text = e.to_string();
        assert!(text.starts_with("+ link/br0: "), "{text}");
        assert!(text.ends_with(" (aio needs root)"), "{text}");
        let e = failed(Action::Delete, ids::link("br0"), kernel(16)); // EBUSY
        assert_eq!(e.kind(), ChangeErrorKind::Refused);
        assert!(!e.to_string().contains("root"), "{e}");
    }

    #[test]
    fn each_failure_has_its_kind_and_its_words() {
        let link = ids::link("v1");
        let address = ids::address("v1", "10.0.0.1/24");
        let attrs = serde_json::from_str::<u32>("\"x\"").unwrap_err();
        for (action, id, cause, kind, text) in [
            (
                Action::Update,
                &link,
                OpError::NoMaster("br0".into()),
                ChangeErrorKind::Missing,
                "~ link/v1: master \"br0\" does not exist",
            ),
            (
                Action::Create,
                &address,
                OpError::NoInterface("v1".into()),
                ChangeErrorKind::Missing,
                "+ address/v1/10.0.0.1/24: interface \"v1\" does not exist",
            ),
            (
                Action::Create,
                &link,
                OpError::CannotCreate(None),
                ChangeErrorKind::Invalid,
                "+ link/v1: aio cannot create a link of kind none without what it needs",
            ),
            (
                Action::Replace,
                &link,
                OpError::CannotCreate(Some("vxlan".into())),
                ChangeErrorKind::Invalid,
                "-/+ link/v1: aio cannot create a link of kind vxlan without what it needs",
            ),
            (
                Action::Delete,
                &address,
                OpError::NotAnAddress("x".into()),
                ChangeErrorKind::Invalid,
                "- address/v1/10.0.0.1/24: `x` is not an address",
            ),
            (
                Action::Create,
                &link,
                OpError::Attributes(attrs),
                ChangeErrorKind::Invalid,
                "+ link/v1: unexpected attributes: invalid type: string \"x\", expected u32 at line 1 column 3",
            ),
            (
                Action::Adopt,
                &ids::kolla_deployment(),
                OpError::OtherKind(ids::KOLLA),
                ChangeErrorKind::Invalid,
                "= kolla/deployment: the netlink provider has no resources of kind `kolla`",
            ),
        ] {
            let e = failed(action, id.clone(), cause);
            assert_eq!(e.kind(), kind, "{text}");
            assert_eq!(e.to_string(), text);
        }
    }
}
