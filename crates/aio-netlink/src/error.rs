//! Why netlink cannot be reached or asked, and the kernel's refusal codes.

#[derive(Debug, thiserror::Error)]
pub enum NetlinkError {
    #[error(transparent)]
    Netns(#[from] aio_netns::NetnsError),
    #[error("cannot open a netlink socket: {0}")]
    Socket(std::io::Error),
    #[error("netlink: {0}")]
    Request(#[from] rtnetlink::Error),
    #[error("netlink dump of every link: {0}")]
    Dump(std::io::Error),
    #[error("netlink dump of the default routes: {0}")]
    Routes(std::io::Error),
    #[error("no IPv4 default route: set host.uplink to the management NIC")]
    NoDefaultRoute,
    #[error("the uplink \"{0}\" does not exist")]
    NoUplink(String),
}

/// The kernel's refusals aio tells apart.
pub const EPERM: i32 = 1;
pub const EEXIST: i32 = 17;
pub const ENODEV: i32 = 19;
pub const EADDRNOTAVAIL: i32 = 99;

/// The positive errno of a kernel refusal (EEXIST = 17, ENODEV = 19, ...).
pub fn errno(e: &rtnetlink::Error) -> Option<i32> {
    match e {
        rtnetlink::Error::NetlinkError(m) => m.code.map(|c| -c.get()),
        _ => None,
    }
}
