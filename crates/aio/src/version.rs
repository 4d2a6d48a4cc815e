//! `aio --version`: the version, the commit and build date, the topology
//! format versions it reads and the kolla-ansible series it deploys; with
//! `--json`, the same as data.

/// The kolla-ansible series aio's Kolla resource is made for.
pub const KOLLA_SERIES: &str = "20.x (OpenStack 2025.1)";

/// What `--version` says, as data.
pub fn data() -> serde_json::Value {
    serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "commit": env!("AIO_COMMIT"),
        "build_date": env!("AIO_BUILD_DATE"),
        "topology_format_versions": aio_topology::SUPPORTED_VERSIONS,
        "kolla_ansible": KOLLA_SERIES,
    })
}

/// What `--version` says, as text.
pub fn text() -> String {
    let formats: Vec<String> = aio_topology::SUPPORTED_VERSIONS
        .iter()
        .map(ToString::to_string)
        .collect();
    format!(
        "aio {} (commit {}, built {})\ntopology format version {}\nkolla-ansible {KOLLA_SERIES}",
        env!("CARGO_PKG_VERSION"),
        env!("AIO_COMMIT"),
        env!("AIO_BUILD_DATE"),
        formats.join(", ")
    )
}
