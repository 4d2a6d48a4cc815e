//! ARP against real hosts: the sandbox's upstream router and addresses it answers for.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aio_sandbox::{GATEWAY, Sandbox};
use std::net::Ipv4Addr;
use std::time::Duration;

#[test]
fn answering_hosts_are_found_and_the_first_silent_address_is_free() {
    let sb = Sandbox::new(&format!("aio-arp-{}", std::process::id()));
    sb.upstream_ip(&["addr", "add", "192.0.2.2/24", "dev", "up0"]);
    sb.upstream_ip(&["addr", "add", "192.0.2.3/24", "dev", "up0"]);
    let me = Ipv4Addr::new(192, 0, 2, 10);
    let candidates: Vec<Ipv4Addr> = (1..=6).map(|i| Ipv4Addr::new(192, 0, 2, i)).collect();
    let wait = Duration::from_millis(300);
    let taken = aio_arp::answering(Some(&sb.ns), "eth0", me, &candidates, wait).unwrap();
    let gateway: Ipv4Addr = GATEWAY.parse().unwrap();
    assert_eq!(
        taken.into_iter().collect::<Vec<_>>(),
        [
            gateway,
            Ipv4Addr::new(192, 0, 2, 2),
            Ipv4Addr::new(192, 0, 2, 3)
        ]
    );
    let free = aio_arp::first_free(Some(&sb.ns), "eth0", me, &candidates, wait).unwrap();
    assert_eq!(free, Some(Ipv4Addr::new(192, 0, 2, 4)));
}
