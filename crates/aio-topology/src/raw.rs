//! The file as serde reads it: every key known, every value located.
//! Meaning is checked in `validate`; these types only fix the shape.

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

pub type Map<T> = IndexMap<Spanned<String>, T>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopology {
    pub version: Spanned<i64>,
    pub host: Option<RawHost>,
    pub sysctl: Option<Map<Spanned<toml::Value>>>,
    pub interfaces: Option<Map<RawInterface>>,
    pub nat: Option<Vec<RawNat>>,
    pub ovs: Option<RawOvs>,
    pub kolla: Option<RawKolla>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHost {
    pub uplink: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInterface {
    #[serde(rename = "type")]
    pub kind: Option<Spanned<String>>,
    pub peer: Option<Spanned<String>>,
    pub master: Option<Spanned<String>>,
    pub addresses: Option<Vec<Spanned<String>>>,
    pub state: Option<Spanned<String>>,
    pub mtu: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNat {
    pub source: Spanned<String>,
    pub out: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOvs {
    pub db: Option<Spanned<String>>,
    pub bridges: Option<Map<RawOvsBridge>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOvsBridge {
    pub provided_by: Option<Spanned<String>>,
    pub datapath_type: Option<Spanned<String>>,
    pub fail_mode: Option<Spanned<String>>,
    pub ports: Option<Map<RawOvsPort>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOvsPort {
    pub tag: Option<Spanned<i64>>,
    pub trunks: Option<Vec<Spanned<i64>>>,
    #[serde(rename = "type")]
    pub kind: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKolla {
    pub package: Option<Spanned<String>>,
    pub venv: Option<Spanned<String>>,
    pub config_dir: Option<Spanned<String>>,
    pub inventory: Option<Spanned<String>>,
    pub vip: Spanned<String>,
    pub actions: Option<Vec<Spanned<String>>>,
    pub globals: Option<Map<Spanned<toml::Value>>>,
    /// `[kolla.config."PATH".SECTION] key = value`
    pub config: Option<Map<Map<Map<Spanned<toml::Value>>>>>,
}
