//! The client against the sandbox's real Keystone and neutron-server
//! (OpenStack 2025.1, ML2/OVN): `public1` made, tagged, found, fixed, its
//! users listed, refused while used and deleted; a revoked token renewed;
//! a wrong password refused without a secret in sight; every call counted.
//! One cloud for the whole file (its start costs seconds), so one test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::IpAddr;
use std::time::Instant;

use aio_neutron::{
    AllocationPool, Client, Credentials, DEFAULT_CLOUD, Network, NetworkFilter, NetworkUpdate,
    NewNetwork, NewSubnet, Stats, SubnetUpdate,
};
use aio_sandbox::openstack::{self, NeutronSettings, Stack};

const PHYSNET_MTU: u32 = 9000;
const TAG: &str = "aio:external-network";
/// How a Fernet token, the sandbox's kind, starts.
const FERNET_PREFIX: &str = "gAAAAA";

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// What each operation cost, printed at the end.
struct Costs(Vec<(&'static str, Stats)>);

impl Costs {
    /// Runs `operation`, keeping its calls and time under `label`.
    fn measure<T>(
        &mut self,
        client: &Client,
        label: &'static str,
        operation: impl FnOnce() -> T,
    ) -> T {
        let before = client.stats();
        let out = operation();
        self.0.push((label, client.stats().since(before)));
        out
    }

    fn of(&self, label: &str) -> Stats {
        self.0.iter().find(|(l, _)| *l == label).unwrap().1
    }

    fn print(&self) {
        for (label, stats) in &self.0 {
            eprintln!("{label:<32} {stats}");
        }
    }
}

/// No secret in `text`: neither the password nor anything like a token.
fn assert_no_secret(text: &str, password: &str) {
    assert!(!text.contains(password), "the password is shown: {text}");
    assert!(!text.contains(FERNET_PREFIX), "a token is shown: {text}");
}

#[test]
fn the_client_manages_public1_against_real_neutron() {
    if !openstack::tests_may_run() {
        return;
    }
    let settings = NeutronSettings {
        physnet: "physnet1".into(),
        physnet_mtu: PHYSNET_MTU,
        vlan_ranges: "physnet1:1500:4000".into(),
    };
    let Stack {
        cloud,
        ovn,
        vswitchd,
        ovsdb,
        host,
        cloud_started_in,
    } = Stack::start("aio-neutron-client", &settings);
    eprintln!("cloud up in {:?}", cloud_started_in);

    let creds = Credentials::from_file(cloud.clouds_yaml(), DEFAULT_CLOUD).unwrap();
    let password = creds.password.expose().to_string();
    let connected = Instant::now();
    let client = Client::connect(creds.clone(), Some(&host.ns))
        .unwrap_or_else(|e| panic!("{e}\n{}", cloud.logs()));
    let mut costs = Costs(vec![("connect (token and catalog)", client.stats())]);
    eprintln!(
        "connected in {:?} to {}",
        connected.elapsed(),
        client.network_endpoint()
    );
    assert!(client.network_endpoint().ends_with(":9696"), "{client:?}");

    let network = costs.measure(&client, "create network", || {
        client.create_network(&NewNetwork {
            name: "public1".into(),
            external: true,
            network_type: "flat".into(),
            physical_network: Some("physnet1".into()),
            segmentation_id: None,
            mtu: None,
        })
    });
    let network = network.unwrap_or_else(|e| panic!("{e}\n{}", cloud.logs()));
    assert!(network.external, "{network:?}");
    assert_eq!(network.network_type.as_deref(), Some("flat"));
    assert_eq!(network.physical_network.as_deref(), Some("physnet1"));
    assert_eq!(network.mtu, Some(PHYSNET_MTU), "Neutron's physnet MTU");
    let id = network.id.clone();

    // As Kolla's init-runonce makes it: the gateway nothing on dummy1 answers.
    let subnet = costs.measure(&client, "create subnet", || {
        client.create_subnet(&NewSubnet {
            network_id: id.clone(),
            name: "public1-subnet".into(),
            cidr: "10.0.2.0/24".parse().unwrap(),
            gateway_ip: Some(ip("10.0.2.1")),
            allocation_pools: vec![AllocationPool {
                start: ip("10.0.2.128"),
                end: ip("10.0.2.254"),
            }],
            enable_dhcp: false,
        })
    });
    let subnet = subnet.unwrap();
    assert_eq!(subnet.network_id, id);
    assert_eq!(subnet.ip_version, 4);
    assert_eq!(subnet.gateway_ip, Some(ip("10.0.2.1")));
    assert!(!subnet.enable_dhcp);

    costs
        .measure(&client, "add tag", || client.add_network_tag(&id, TAG))
        .unwrap();
    let by_tag = costs.measure(&client, "list networks by tag", || {
        client.networks(NetworkFilter {
            tag: Some(TAG),
            ..NetworkFilter::default()
        })
    });
    let by_tag: Vec<Network> = by_tag.unwrap();
    assert_eq!(by_tag.len(), 1, "{by_tag:?}");
    assert_eq!(by_tag[0].id, id);
    assert_eq!(by_tag[0].tags, vec![TAG.to_string()]);
    assert_eq!(by_tag[0].subnets, vec![subnet.id.clone()]);
    let other_tag = NetworkFilter {
        tag: Some("aio:not-this-one"),
        ..NetworkFilter::default()
    };
    assert!(client.networks(other_tag).unwrap().is_empty());
    let by_name = NetworkFilter {
        name: Some("public1"),
        ..NetworkFilter::default()
    };
    assert_eq!(client.networks(by_name).unwrap().len(), 1);
    assert_eq!(client.network_tags(&id).unwrap(), vec![TAG.to_string()]);

    let fixed = costs.measure(&client, "update subnet gateway", || {
        client.update_subnet(
            &subnet.id,
            &SubnetUpdate {
                gateway_ip: Some(ip("10.0.2.2")),
                ..SubnetUpdate::default()
            },
        )
    });
    assert_eq!(fixed.unwrap().gateway_ip, Some(ip("10.0.2.2")));
    let shown = costs.measure(&client, "show subnet", || client.subnet(&subnet.id));
    let shown = shown.unwrap();
    assert_eq!(shown.gateway_ip, Some(ip("10.0.2.2")), "kept by Neutron");
    assert_eq!(shown.cidr.to_string(), "10.0.2.0/24");
    assert_eq!(
        shown.allocation_pools,
        vec![AllocationPool {
            start: ip("10.0.2.128"),
            end: ip("10.0.2.254")
        }]
    );
    assert_eq!(client.subnets(&id).unwrap(), vec![shown]);

    let renamed = costs.measure(&client, "update network", || {
        client.update_network(
            &id,
            &NetworkUpdate {
                name: Some("public1-old".into()),
                ..NetworkUpdate::default()
            },
        )
    });
    assert_eq!(renamed.unwrap().name, "public1-old");
    let back = NetworkUpdate {
        name: Some("public1".into()),
        external: Some(true),
    };
    client.update_network(&id, &back).unwrap();
    let shown = costs.measure(&client, "show network", || client.network(&id));
    assert_eq!(shown.unwrap().name, "public1");

    let floating = costs.measure(&client, "create floating IP", || {
        client.create_floating_ip(&id)
    });
    let floating = floating.unwrap();
    let pool = ip("10.0.2.128")..=ip("10.0.2.254");
    assert!(pool.contains(&floating.floating_ip_address), "{floating:?}");
    let listed = costs.measure(&client, "list floating IPs of network", || {
        client.floating_ips(&id)
    });
    assert_eq!(listed.unwrap(), vec![floating.clone()]);
    let ports = costs.measure(&client, "list ports of network", || client.ports(&id));
    let ports = ports.unwrap();
    let fip_port = ports
        .iter()
        .find(|p| p.device_owner == "network:floatingip")
        .unwrap_or_else(|| panic!("no port of the floating IP: {ports:?}"));
    assert_eq!(fip_port.device_id, floating.id.as_str());
    assert_eq!(
        fip_port.fixed_ips[0].ip_address,
        floating.floating_ip_address
    );

    let refused = client.delete_subnet(&subnet.id).unwrap_err();
    assert_eq!(refused.status(), Some(409), "{refused}");
    let message = refused.to_string();
    assert!(
        message.contains("DELETE") && message.contains(subnet.id.as_str()),
        "{message}"
    );
    assert_no_secret(&message, &password);
    eprintln!("refused: {message}");

    costs
        .measure(&client, "delete floating IP", || {
            client.delete_floating_ip(&floating.id)
        })
        .unwrap();
    assert!(client.floating_ips(&id).unwrap().is_empty());
    let unbound = client.create_floating_ip(&id).unwrap();
    // Neutron itself deletes an external network's unbound floating IPs
    // with it: refusing such a delete is for the caller to do.
    costs
        .measure(&client, "delete network", || client.delete_network(&id))
        .unwrap();
    let left = client.floating_ips(&id).unwrap();
    assert!(
        left.is_empty(),
        "{unbound:?} went with the network: {left:?}"
    );
    let gone = client.network(&id).unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    assert!(
        client.subnet(&subnet.id).unwrap_err().is_not_found(),
        "the subnet went with it"
    );

    // A token Neutron never saw, revoked: the next call is refused with
    // 401, authenticates again and is sent again.
    let fresh = Client::connect(creds.clone(), Some(&host.ns)).unwrap();
    fresh.revoke_token().unwrap();
    let before = fresh.stats();
    assert!(fresh.networks(NetworkFilter::default()).unwrap().is_empty());
    let renewal = fresh.stats().since(before);
    assert_eq!(
        (renewal.calls, renewal.keystone_calls),
        (3, 1),
        "401, a new token, the call again: {renewal}"
    );

    // The check below looks for the token's kind: is it the kind?
    let issued = cloud.openstack(&["token", "issue"]).unwrap();
    let sample = issued["id"].as_str().unwrap();
    assert!(sample.starts_with(FERNET_PREFIX), "not a Fernet token");
    let shown = format!("{creds:?} {client:?} {fresh:?} {:?}", client.credentials());
    assert_no_secret(&shown, &password);
    assert!(shown.contains("kolla-admin"), "{shown}");

    let dir = tempfile::tempdir().unwrap();
    let wrong_password = "wrong-Pa55word-of-the-test";
    let text = std::fs::read_to_string(cloud.clouds_yaml()).unwrap();
    std::fs::write(
        dir.path().join("clouds.yaml"),
        text.replace(&password, wrong_password),
    )
    .unwrap();
    let wrong = Credentials::from_config_dir(dir.path(), DEFAULT_CLOUD).unwrap();
    let refused = Client::connect(wrong, Some(&host.ns)).unwrap_err();
    assert_eq!(refused.status(), Some(401), "{refused}");
    let message = refused.to_string();
    assert!(
        message.contains("refused user `admin` of project `admin`"),
        "{message}"
    );
    assert!(
        message.contains(&dir.path().display().to_string()),
        "{message}"
    );
    assert_no_secret(&format!("{message} {refused:?}"), &password);
    assert_no_secret(&format!("{message} {refused:?}"), wrong_password);

    costs.print();
    let connect = costs.of("connect (token and catalog)");
    assert_eq!((connect.calls, connect.keystone_calls), (1, 1), "{connect}");
    for (label, stats) in &costs.0[1..] {
        assert_eq!(
            (stats.calls, stats.keystone_calls),
            (1, 0),
            "{label}: {stats}"
        );
        assert!(!stats.time.is_zero(), "{label}: {stats}");
    }
    eprintln!("in all: {}", client.stats());

    drop(cloud);
    drop(ovn);
    drop(vswitchd);
    drop(ovsdb);
    drop(host);
}
