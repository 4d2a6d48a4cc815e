//! [`LinkId`]: a link's id, `link/NAME`, and its one conversion to and from
//! the engine's [`ResourceId`] (the text itself is written by
//! [`aio_family::ids::link`]).

use aio_engine::ResourceId;
use aio_family::ids::{self, IdError, LINK};

/// The link named `NAME`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LinkId {
    name: String,
}

impl LinkId {
    pub fn new(name: impl Into<String>) -> LinkId {
        LinkId { name: name.into() }
    }

    /// The interface's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl From<&LinkId> for ResourceId {
    fn from(id: &LinkId) -> ResourceId {
        ids::link(&id.name)
    }
}

impl From<LinkId> for ResourceId {
    fn from(id: LinkId) -> ResourceId {
        ResourceId::from(&id)
    }
}

impl TryFrom<&ResourceId> for LinkId {
    type Error = IdError;

    fn try_from(id: &ResourceId) -> Result<LinkId, IdError> {
        match ids::name_of(id, &LINK)? {
            "" => Err(IdError::malformed(id, "`link/NAME`")),
            name => Ok(LinkId::new(name)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aio_engine::Kind;

    #[test]
    fn a_link_id_goes_to_the_engine_and_back() {
        let id = LinkId::new("br-ex");
        let engine = ResourceId::from(&id);
        assert_eq!(engine.to_string(), "link/br-ex");
        assert_eq!(engine, ids::link("br-ex"));
        assert_eq!(LinkId::try_from(&engine), Ok(id));
    }

    #[test]
    fn another_kind_or_an_empty_name_is_refused() {
        let address = ids::address("br-ex", "10.0.0.1/24");
        assert!(matches!(
            LinkId::try_from(&address),
            Err(IdError::OtherKind { expected, .. }) if expected == LINK
        ));
        let nameless = ResourceId::new(&LINK, "");
        assert!(matches!(
            LinkId::try_from(&nameless),
            Err(IdError::Malformed { .. })
        ));
        let nat = ResourceId::new(&Kind::new("nat"), "x/y");
        assert!(LinkId::try_from(&nat).is_err());
    }
}
