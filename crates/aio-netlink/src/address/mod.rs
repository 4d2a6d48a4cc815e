//! Addresses: their id (`address/NAME/CIDR`), attributes, dump, the
//! resources the topology declares, what observe sees, and the requests
//! that add and delete them.

pub mod attrs;
pub(crate) mod desired;
pub mod dump;
pub mod id;
pub(crate) mod observed;
pub(crate) mod ops;
