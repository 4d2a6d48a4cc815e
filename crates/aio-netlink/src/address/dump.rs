//! Addresses as the kernel describes them: every one in one dump, or a
//! link's.

use futures::TryStreamExt;
use ipnet::IpNet;
use rtnetlink::Handle;
use rtnetlink::packet_route::address::{AddressAttribute, AddressFlags, AddressHeaderFlags};

#[derive(Debug, Clone, PartialEq)]
pub struct Addr {
    pub index: u32,
    pub net: IpNet,
    pub secondary: bool,
}

/// Every address of every link.
pub async fn addrs(handle: &Handle) -> Result<Vec<Addr>, rtnetlink::Error> {
    addrs_of(handle, 0).await
}

/// The addresses of link `index` (0: of every link). The kernel filters by
/// link only on a socket in strict mode (see `crate::connection::strict`);
/// elsewhere it sends every address, and this keeps those of `index`.
pub async fn addrs_of(handle: &Handle, index: u32) -> Result<Vec<Addr>, rtnetlink::Error> {
    let mut out = Vec::new();
    let mut request = handle.address().get();
    if index != 0 {
        request.message_mut().header.index = index;
        request = request.set_link_index_filter(index);
    }
    let mut dump = request.execute();
    while let Some(m) = dump.try_next().await? {
        let (mut local, mut address) = (None, None);
        // Secondary shows in the header's u8 flags and in IFA_FLAGS.
        let mut secondary = m.header.flags.contains(AddressHeaderFlags::Secondary);
        for a in &m.attributes {
            match a {
                AddressAttribute::Local(ip) => local = Some(*ip),
                AddressAttribute::Address(ip) => address = Some(*ip),
                AddressAttribute::Flags(f) => secondary |= f.contains(AddressFlags::Secondary),
                _ => {}
            }
        }
        // IFA_LOCAL is the interface's own address (they differ on point-to-point links).
        if let Some(net) = local
            .or(address)
            .and_then(|ip| IpNet::new(ip, m.header.prefix_len).ok())
        {
            out.push(Addr {
                index: m.header.index,
                net,
                secondary,
            });
        }
    }
    Ok(out)
}
