//! The Kolla-Ansible provider: the whole deployment as one resource,
//! `kolla/deployment`, in the same graph as the links it reads.
//!
//! Its inputs are the files aio renders under the config dir
//! (`globals.d/aio.yml` from `[kolla.globals]`, INI overrides from
//! `[kolla.config]`), the inventory, the actions and the addresses of the
//! interfaces Kolla reads. `globals.yml` stays the operator's (see
//! [`globals`]). A fingerprint of the inputs is recorded in the state dir
//! with the actions that finished; the actions run again only when the
//! fingerprint (or the installed kolla-ansible) changes, or when asked to
//! (`--rerun`), and a failed run resumes at the action that failed. A
//! deployment aio did not make is adopted: its inputs are recorded as done.
//! A venv that already holds a fitting kolla-ansible is used as it is;
//! otherwise it is made with `pip`. `passwords.yml` is filled by the real
//! `kolla-genpwd`; no password is ever shown. `aio watch` hears edits of
//! the files aio writes through inotify (see `follow`).

mod actions;
mod adopt;
pub mod cinder;
mod deployment;
mod describe;
mod error;
mod files;
mod follow;
pub mod globals;
mod inventory;
mod keys;
pub mod neutron;
mod passwords;
mod progress;
mod provider;
mod record;
mod render;
mod requirement;
mod run_state;
mod venv;
pub mod vip;
mod work;
mod yaml;

pub use actions::{PROGRAM_ENV, stand_in};
pub use provider::KollaProvider;
pub use run_state::RunState;
pub use yaml::YamlError;

mod family;

pub use deployment::{Deployment, KollaAttrs, PROVIDER, resource_id};
pub use error::KollaError;
pub use family::{Kolla, deployment};
