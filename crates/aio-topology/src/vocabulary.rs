//! The words and ranges the format accepts, which the validator checks
//! against and the JSON Schema lists.

/// The format versions this aio reads.
pub const SUPPORTED_VERSIONS: [i64; 1] = [1];

/// `[interfaces.NAME]`.
pub mod interfaces {
    pub const TYPES: [&str; 2] = ["bridge", "veth"];
    pub const STATES: [&str; 2] = ["up", "down"];
    pub const MTU: std::ops::RangeInclusive<u32> = 68..=65535;
}

/// `[ovs]`.
pub mod ovs {
    pub const PROVIDERS: [&str; 1] = ["kolla"];
    pub const DATAPATHS: [&str; 2] = ["system", "netdev"];
    pub const FAIL_MODES: [&str; 2] = ["standalone", "secure"];
    pub const PORT_TYPES: [&str; 2] = ["system", "internal"];
    pub const VLAN_IDS: std::ops::RangeInclusive<u16> = 1..=4094;
}

/// `[kolla]`.
pub mod kolla {
    /// kolla-ansible 20.x actions aio may run as part of a deployment.
    pub const ACTIONS: [&str; 12] = [
        "bootstrap-servers",
        "prechecks",
        "certificates",
        "octavia-certificates",
        "pull",
        "deploy",
        "deploy-containers",
        "post-deploy",
        "reconfigure",
        "genconfig",
        "check",
        "validate-config",
    ];
}

/// `[neutron]`.
pub mod neutron {
    /// The physnets `[neutron.external_network]` may be flat on: Kolla maps
    /// `physnet1` to the first `neutron_bridge_name`.
    pub const PHYSNETS: [&str; 1] = ["physnet1"];
    /// The longest name Neutron stores, in characters.
    pub const NAME_MAX: usize = 255;
}

/// `[nfs]`.
pub mod nfs {
    /// exports(5) options without a value.
    pub const FLAGS: [&str; 17] = [
        "rw",
        "ro",
        "sync",
        "async",
        "no_subtree_check",
        "subtree_check",
        "root_squash",
        "no_root_squash",
        "all_squash",
        "no_all_squash",
        "secure",
        "insecure",
        "wdelay",
        "no_wdelay",
        "hide",
        "nohide",
        "crossmnt",
    ];
    /// exports(5) options of the form `NAME=VALUE`, and the values' forms.
    pub const VALUED: [(&str, &str); 4] = [
        ("anonuid", "N"),
        ("anongid", "N"),
        ("fsid", "N|root|UUID"),
        ("sec", "sys|krb5|krb5i|krb5p"),
    ];
    /// The security flavors `sec=` takes, joined by `:`.
    pub const SEC_FLAVORS: [&str; 4] = ["sys", "krb5", "krb5i", "krb5p"];
    /// Options that say the opposite of each other.
    pub const OPPOSITES: [(&str, &str); 8] = [
        ("rw", "ro"),
        ("sync", "async"),
        ("root_squash", "no_root_squash"),
        ("all_squash", "no_all_squash"),
        ("subtree_check", "no_subtree_check"),
        ("secure", "insecure"),
        ("wdelay", "no_wdelay"),
        ("hide", "nohide"),
    ];
    /// An export's options when the file gives none.
    pub const DEFAULT_OPTIONS: [&str; 3] = ["rw", "sync", "no_subtree_check"];
    /// An export's permission bits when the file gives none.
    pub const DEFAULT_MODE: u32 = 0o755;
    /// The substitutions a client or the address may hold: addresses.
    pub const ADDRESS_VARIABLES: [&str; 2] = ["uplink_address", "vip"];
    /// The host's own directories, never exported (a first component
    /// ending in `*` is a prefix: `/lib*` is `/lib`, `/lib64`, ...).
    pub const SYSTEM_DIRS: [&str; 10] = [
        "proc", "sys", "dev", "run", "etc", "boot", "usr", "bin", "sbin", "lib*",
    ];
    /// The largest uid or gid; 4294967295 is `(uid_t)-1`, "no change".
    pub const ID_MAX: u32 = u32::MAX - 1;
    /// The longest user or group name.
    pub const NAME_MAX: usize = 32;
}
