//! The schema of each located value, from the same words and ranges the
//! validator checks against; the parser's types in `raw` name them.

use std::borrow::Cow;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use crate::vocabulary::{SUPPORTED_VERSIONS, interfaces, kolla, neutron, nfs, ovs};

/// A schema given inline by a marker type that stands for what a located
/// value holds.
macro_rules! leaf {
    ($($name:ident => $schema:tt;)*) => {$(
        pub struct $name;

        impl JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }

            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    )*};
}

/// Octets of a dotted IPv4 address, without leading zeros.
const OCTET: &str = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";

fn ipv4() -> String {
    format!("{OCTET}(\\.{OCTET}){{3}}")
}

/// One component of a relative path that stays below its directory: not
/// empty, not `.`, not `..`.
const PATH_PART: &str = "([^/.][^/]*|\\.[^/.][^/]*|\\.\\.[^/]+)";

leaf! {
    Version => {"type": "integer", "enum": SUPPORTED_VERSIONS};
    Text => {"type": "string", "minLength": 1};
    AnyValue => {};
    InterfaceName => {
        "type": "string",
        "minLength": 1,
        "maxLength": 15,
        "pattern": "^[^/:\\s]+$",
    };
    InterfaceType => {"type": "string", "enum": interfaces::TYPES};
    AdminState => {"type": "string", "enum": interfaces::STATES};
    Mtu => {
        "type": "integer",
        "minimum": interfaces::MTU.start(),
        "maximum": interfaces::MTU.end(),
    };
    Cidr => {"type": "string", "pattern": "^[0-9A-Fa-f:.]+/[0-9]{1,3}$"};
    Ipv4Network => {
        "type": "string",
        "pattern": format!("^{}/(3[0-2]|[12]?[0-9])$", ipv4()),
    };
    SysctlKey => {"type": "string", "pattern": "^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$"};
    SysctlValue => {"type": ["integer", "string"], "pattern": "^[^\\n]*$"};
    OvsDbAddress => {"type": "string", "pattern": "^(unix:.+|tcp:.+:[0-9]+)$"};
    Provider => {"type": "string", "enum": ovs::PROVIDERS};
    Datapath => {"type": "string", "enum": ovs::DATAPATHS};
    FailMode => {"type": "string", "enum": ovs::FAIL_MODES};
    PortType => {"type": "string", "enum": ovs::PORT_TYPES};
    VlanId => {
        "type": "integer",
        "minimum": ovs::VLAN_IDS.start(),
        "maximum": ovs::VLAN_IDS.end(),
    };
    AbsolutePath => {"type": "string", "pattern": "^/"};
    Vip => {"type": "string", "pattern": format!("^(auto|{})$", ipv4())};
    KollaAction => {"type": "string", "enum": kolla::ACTIONS};
    ConfigPath => {
        "type": "string",
        "pattern": format!("^{PATH_PART}(/+{PATH_PART})*/*$"),
    };
    IniSection => {"type": "string", "pattern": "^[^\\[\\]\\n]+$"};
    IniKey => {
        "type": "string",
        "pattern": "^[^=\\[\\];#\\s]([^=\\[\\];#\\n]*[^=\\[\\];#\\s])?$",
    };
    IniValue => {"type": ["string", "number", "boolean"], "pattern": "^[^\\n]*$"};
    OneLine => {"type": "string", "minLength": 1, "pattern": "^[^\\n\\r]+$"};
    NeutronName => {
        "type": "string",
        "minLength": 1,
        "maxLength": neutron::NAME_MAX,
        "pattern": "^[^\\n\\r]+$",
    };
    Physnet => {"type": "string", "enum": neutron::PHYSNETS};
    Ipv4Address => {"type": "string", "pattern": format!("^{}$", ipv4())};
    Ipv4Range => {"type": "string", "pattern": format!("^{}-{}$", ipv4(), ipv4())};
    NfsAddress => {"type": "string", "pattern": format!("^({}|{})$", ipv4(), address_variable())};
    NfsClient => {
        "type": "string",
        "pattern": format!("^(\\*|{}(/(3[0-2]|[12]?[0-9]))?|{})$", ipv4(), address_variable()),
    };
    ExportPath => {
        "type": "string",
        "pattern": format!("^(/{EXPORT_PART})+$"),
    };
    ExportOption => {"type": "string", "pattern": export_option()};
    UserOrId => {
        "type": "string",
        "minLength": 1,
        "maxLength": nfs::NAME_MAX,
        "pattern": "^([A-Za-z_][A-Za-z0-9_.-]*\\$?|[0-9]+)$",
    };
    FileMode => {"type": "string", "pattern": "^[0-7]{3,4}$"};
}

/// One component of an export's path: not empty, not `.` or `..`, none
/// of the characters exports(5) reads specially.
const EXPORT_PART: &str =
    "([^/.\\s\"\\\\#][^/\\s\"\\\\#]*|\\.[^/.\\s\"\\\\#][^/\\s\"\\\\#]*|\\.\\.[^/\\s\"\\\\#]+)";

/// `${uplink_address}` or `${vip}`.
fn address_variable() -> String {
    let names = nfs::ADDRESS_VARIABLES.join("|");
    format!("\\$\\{{({names})\\}}")
}

/// A known exports(5) option.
fn export_option() -> String {
    let flavors = nfs::SEC_FLAVORS.join("|");
    format!(
        "^({}|anonuid=[0-9]+|anongid=[0-9]+|fsid=([0-9]+|root|[0-9A-Fa-f-]+)|sec=({flavors})(:({flavors}))*)$",
        nfs::FLAGS.join("|")
    )
}

/// A table of any keys whose values are `V`s.
pub struct Table<V>(PhantomData<V>);

impl<V: JsonSchema> JsonSchema for Table<V> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("Table_of_{}", V::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "additionalProperties": generator.subschema_for::<V>(),
        })
    }
}

/// A table whose keys are `K`s (names) and whose values are `V`s.
pub struct Named<K, V>(PhantomData<(K, V)>);

impl<K: JsonSchema, V: JsonSchema> JsonSchema for Named<K, V> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("{}_by_{}", V::schema_name(), K::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "propertyNames": generator.subschema_for::<K>(),
            "additionalProperties": generator.subschema_for::<V>(),
        })
    }
}
