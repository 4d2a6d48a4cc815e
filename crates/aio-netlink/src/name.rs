//! The provider name this family's resources carry.

use aio_engine::ProviderName;

pub const PROVIDER: ProviderName = ProviderName::new("netlink");
