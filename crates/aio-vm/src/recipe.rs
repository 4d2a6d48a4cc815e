//! What the image holds, and the key that names it in the cache.

use sha2::{Digest, Sha256};

/// Bumped when the way an image is made from a recipe changes (the disk
/// layout, the files taken out), so that older cached images are not reused.
const BUILD_FORMAT: u32 = 1;

/// The packages a Kolla host has before deploy (Docker included, `sudo`,
/// which kolla-ansible's `become` and the seed's scripts call, and the NFS
/// server and client Cinder's NFS backend uses), plus what a direct boot
/// needs.
const DEBIAN12_PACKAGES: &[&str] = &[
    "systemd",
    "systemd-sysv",
    "udev",
    "dbus",
    "openssh-server",
    "iproute2",
    "nftables",
    "iptables",
    "openvswitch-switch",
    "docker.io",
    "nfs-kernel-server",
    "nfs-common",
    "python3",
    "procps",
    "sudo",
    "linux-image-amd64",
    "initramfs-tools",
];

/// Written before any package: a small initrd that loads only what a
/// virtio disk with ext4 needs.
const SETUP_HOOK: &str = r#"mkdir -p "$1/etc/initramfs-tools/conf.d"
printf 'MODULES=list\nCOMPRESS=zstd\n' > "$1/etc/initramfs-tools/conf.d/aio-vm.conf"
printf 'virtio_pci\nvirtio_blk\next4\n' > "$1/etc/initramfs-tools/modules""#;

/// Written once the packages are in: the root file system in fstab,
/// networkd (fed by `ip=` through systemd-network-generator), Docker's
/// `daemon.json` as Kolla's bootstrap-servers writes it (Docker neither
/// touches iptables nor turns on forwarding), and the unit that authorizes
/// the run's SSH key found on the kernel command line.
const CUSTOMIZE_HOOK: &str = r#"set -e
echo aio-vm > "$1/etc/hostname"
mkdir -p "$1/etc/docker"
cat > "$1/etc/docker/daemon.json" <<'JSON'
{
    "iptables": false,
    "ip-forward": false,
    "log-opts": {
        "max-file": "5",
        "max-size": "50m"
    }
}
JSON
echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' > "$1/etc/fstab"
cat > "$1/usr/local/sbin/aio-vm-authorize" <<'SCRIPT'
#!/bin/sh
set -eu
key=
for word in $(cat /proc/cmdline); do
  case "$word" in aio.ssh_ed25519=*) key="${word#aio.ssh_ed25519=}" ;; esac
done
[ -n "$key" ] || exit 0
install -d -m 700 /root/.ssh
printf 'ssh-ed25519 %s aio-vm\n' "$key" > /root/.ssh/authorized_keys
chmod 600 /root/.ssh/authorized_keys
SCRIPT
chmod 755 "$1/usr/local/sbin/aio-vm-authorize"
cat > "$1/etc/systemd/system/aio-vm-authorize.service" <<'UNIT'
[Unit]
Description=Authorize the SSH key of this aio VM run
Before=ssh.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/aio-vm-authorize

[Install]
WantedBy=multi-user.target
UNIT
chroot "$1" systemctl enable systemd-networkd systemd-network-generator aio-vm-authorize"#;

/// How to make an image: Debian's suite and archive, the packages, the
/// hooks and the disk size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipe {
    pub suite: String,
    pub mirror: String,
    pub packages: Vec<String>,
    pub setup_hook: String,
    pub customize_hook: String,
    /// The size of the ext4 disk, in MiB (sparse until written).
    pub disk_mib: u64,
}

/// The digest of a recipe: the name of its image in the cache.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageKey(pub(crate) String);

impl ImageKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ImageKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Recipe {
    /// Debian 12 (bookworm) with the packages of a Kolla host before deploy.
    pub fn debian12() -> Self {
        Self {
            suite: "bookworm".into(),
            mirror: "http://deb.debian.org/debian".into(),
            packages: DEBIAN12_PACKAGES.iter().map(|p| (*p).to_string()).collect(),
            setup_hook: SETUP_HOOK.into(),
            customize_hook: CUSTOMIZE_HOOK.into(),
            disk_mib: 4096,
        }
    }

    /// The digest of everything that shapes the image: the same recipe
    /// gives the same key whatever the order of its packages.
    pub fn key(&self) -> ImageKey {
        let mut packages = self.packages.clone();
        packages.sort();
        packages.dedup();
        let mut hash = Sha256::new();
        for part in [
            format!("format {BUILD_FORMAT}"),
            format!("suite {}", self.suite),
            format!("mirror {}", self.mirror),
            format!("packages {}", packages.join(",")),
            format!("setup {}", self.setup_hook),
            format!("customize {}", self.customize_hook),
            format!("disk {}", self.disk_mib),
        ] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        let digest = hash.finalize();
        let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        ImageKey(format!("debian-{}-{hex}", self.suite))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_ignores_package_order_and_duplicates() {
        let recipe = Recipe::debian12();
        let mut shuffled = recipe.clone();
        shuffled.packages.reverse();
        shuffled.packages.push("python3".into());
        assert_eq!(recipe.key(), shuffled.key());
    }

    #[test]
    fn the_key_changes_with_the_packages_and_the_hooks() {
        let recipe = Recipe::debian12();
        let mut more = recipe.clone();
        more.packages.push("curl".into());
        assert_ne!(recipe.key(), more.key());
        let mut hooked = recipe.clone();
        hooked.customize_hook.push_str("\ntrue");
        assert_ne!(recipe.key(), hooked.key());
        let mut bigger = recipe.clone();
        bigger.disk_mib += 1;
        assert_ne!(recipe.key(), bigger.key());
    }

    #[test]
    fn the_key_names_the_suite_and_is_a_file_name() {
        let key = Recipe::debian12().key();
        assert!(key.as_str().starts_with("debian-bookworm-"), "{key}");
        assert!(
            key.as_str()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "{key}"
        );
    }
}
