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
