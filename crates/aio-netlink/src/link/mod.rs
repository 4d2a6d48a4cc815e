//! Links: their id (`link/NAME`), attributes, dump, the resource the
//! topology declares, what observe sees, the requests that create, change,
//! mark and delete them, and aio's mark.

pub mod attrs;
pub(crate) mod desired;
pub mod dump;
pub mod id;
pub mod mark;
pub(crate) mod observed;
pub(crate) mod ops;
pub(crate) mod raw;
