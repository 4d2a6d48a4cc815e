//! Everything aio shows, rendered from data: plans ([`plan`]), the standing
//! of each resource ([`status`]), the one-line forms `watch` logs, failures.
//! Values are written by [`value`], the one formatter.

pub mod doctor;
pub mod failure;
pub mod plan;
pub mod status;
pub mod units;
pub mod value;
