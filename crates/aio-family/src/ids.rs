//! Ids one family's resources depend on and another family makes: the one
//! place each of them is written and read (the netlink family's typed
//! `LinkId` and `AddressId` convert through these), and the one [`IdError`]
//! every family's typed id refuses a [`ResourceId`] with.

use aio_engine::{Kind, ResourceId};

/// A network interface: `link/NAME`.
pub const LINK: Kind = Kind::new("link");
/// An address on an interface: `address/NAME/CIDR`.
pub const ADDRESS: Kind = Kind::new("address");
/// The Kolla deployment: `kolla/deployment`.
pub const KOLLA: Kind = Kind::new("kolla");
/// An NFS export of aio's drop-in: `nfs-export/PATH` (`nfs-export//mnt/nfs`).
pub const NFS_EXPORT: Kind = Kind::new("nfs-export");

pub fn link(name: &str) -> ResourceId {
    ResourceId::new(&LINK, name)
}

pub fn address(interface: &str, cidr: &str) -> ResourceId {
    ResourceId::new(&ADDRESS, format!("{interface}/{cidr}"))
}

/// The deployment every `provided_by = "kolla"` bridge's ports wait for.
pub fn kolla_deployment() -> ResourceId {
    ResourceId::new(&KOLLA, "deployment")
}

/// The export of `path`, which Kolla's `nfs_shares` names (Cinder's share).
pub fn nfs_export(path: &str) -> ResourceId {
    ResourceId::new(&NFS_EXPORT, path)
}

/// The interface and the CIDR an [`address`] id was built from; `None` for
/// another kind, or a name without both.
pub fn address_parts(id: &ResourceId) -> Option<(&str, &str)> {
    let (interface, cidr) = id.name().split_once('/')?;
    let whole = id.is(&ADDRESS) && !interface.is_empty() && !cidr.is_empty();
    whole.then_some((interface, cidr))
}

/// A resource id a family's typed id cannot be read from: one of another
/// kind, or one not written as that id is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("`{id}` is not a {expected} id")]
    OtherKind { id: ResourceId, expected: Kind },
    #[error("`{id}` is not written {form}")]
    Malformed {
        id: ResourceId,
        /// How it should be written (`address/INTERFACE/CIDR`).
        form: &'static str,
    },
}

impl IdError {
    /// `id` is not written as `form` says.
    pub fn malformed(id: &ResourceId, form: &'static str) -> IdError {
        IdError::Malformed {
            id: id.clone(),
            form,
        }
    }
}

/// The name `id` carries after its kind, when that kind is `expected`.
pub fn name_of<'a>(id: &'a ResourceId, expected: &Kind) -> Result<&'a str, IdError> {
    if id.is(expected) {
        Ok(id.name())
    } else {
        Err(IdError::OtherKind {
            id: id.clone(),
            expected: expected.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_read_only_from_its_own_kind() {
        assert_eq!(name_of(&link("br-ex"), &LINK), Ok("br-ex"));
        assert_eq!(
            name_of(&link("br-ex"), &ADDRESS),
            Err(IdError::OtherKind {
                id: link("br-ex"),
                expected: ADDRESS,
            })
        );
        assert_eq!(
            IdError::malformed(&link(""), "`link/NAME`").to_string(),
            "`link/` is not written `link/NAME`"
        );
    }
}
