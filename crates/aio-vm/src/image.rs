//! The cached image: a compressed qcow2 base disk, its kernel and initrd,
//! under `CACHE/KEY/`, built once and then only read.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::process::run;
use crate::{ImageKey, Recipe, VmError};

/// The cache's default place.
pub const CACHE: &str = "/var/cache/aio/vm";
const BASE: &str = "base.qcow2";
const KERNEL: &str = "vmlinuz";
const INITRD: &str = "initrd.img";
/// The suffix of an image's directory while it is built.
const PARTIAL: &str = ".partial";

/// A complete image in the cache.
#[derive(Debug, Clone)]
pub struct Image {
    pub key: ImageKey,
    pub dir: PathBuf,
}

/// How [`Image::obtain`] got the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Obtained {
    /// It was built now, taking this long.
    Built(Duration),
    /// It was already in the cache.
    Cached,
}

impl Image {
    /// The image of `recipe` in `cache`, built first when it is not there.
    /// A build goes to `KEY.partial` and is renamed when complete, so an
    /// interrupted build is never taken for an image.
    pub fn obtain(recipe: &Recipe, cache: &Path) -> Result<(Self, Obtained), VmError> {
        let image = Self::located(recipe, cache);
        if image.complete() {
            return Ok((image, Obtained::Cached));
        }
        // One build per key at a time: a second run waits for the first
        // and then finds its image.
        std::fs::create_dir_all(cache).map_err(VmError::io(cache))?;
        let lock_path = cache.join(format!("{}.lock", image.key));
        let lock = std::fs::File::create(&lock_path).map_err(VmError::io(&lock_path))?;
        lock.lock().map_err(VmError::io(&lock_path))?;
        if image.complete() {
            return Ok((image, Obtained::Cached));
        }
        let started = Instant::now();
        let partial = cache.join(format!("{}{PARTIAL}", image.key));
        let _ = std::fs::remove_dir_all(&partial);
        std::fs::create_dir_all(&partial).map_err(VmError::io(&partial))?;
        build(recipe, &partial)?;
        std::fs::rename(&partial, &image.dir).map_err(VmError::io(&image.dir))?;
        Ok((image, Obtained::Built(started.elapsed())))
    }

    /// Where the image of `recipe` is, or will be once built, in `cache`.
    pub fn located(recipe: &Recipe, cache: &Path) -> Self {
        let key = recipe.key();
        let dir = cache.join(key.as_str());
        Self { key, dir }
    }

    /// The image of `recipe` in [`CACHE`], when it has been built.
    pub fn cached(recipe: &Recipe) -> Option<Self> {
        let image = Self::located(recipe, Path::new(CACHE));
        image.complete().then_some(image)
    }

    /// An image of [`CACHE`] with its kernel and initrd, for booting only
    /// those (the KVM probe): `recipe`'s, or else an earlier recipe's.
    pub fn cached_kernel(recipe: &Recipe) -> Option<Self> {
        let current = Self::located(recipe, Path::new(CACHE));
        let earlier = std::fs::read_dir(CACHE)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                (!name.ends_with(PARTIAL)).then(|| Self {
                    key: ImageKey(name),
                    dir: entry.path(),
                })
            });
        std::iter::once(current)
            .chain(earlier)
            .find(|image| image.kernel().is_file() && image.initrd().is_file())
    }

    fn complete(&self) -> bool {
        [BASE, KERNEL, INITRD]
            .iter()
            .all(|name| self.dir.join(name).is_file())
    }

    /// The read-only base disk the overlays are made on.
    pub fn base(&self) -> PathBuf {
        self.dir.join(BASE)
    }

    pub fn kernel(&self) -> PathBuf {
        self.dir.join(KERNEL)
    }

    pub fn initrd(&self) -> PathBuf {
        self.dir.join(INITRD)
    }

    /// The bytes the image takes on disk.
    pub fn size_on_disk(&self) -> Result<u64, VmError> {
        let mut total = 0;
        for name in [BASE, KERNEL, INITRD] {
            let path = self.dir.join(name);
            total += std::fs::metadata(&path).map_err(VmError::io(&path))?.len();
        }
        Ok(total)
    }
}

/// mmdebstrap into a directory, that directory into a sparse ext4 disk,
/// the disk into a compressed qcow2; the kernel and initrd copied out.
/// The directory and the raw disk are removed as soon as they are used.
fn build(recipe: &Recipe, out: &Path) -> Result<(), VmError> {
    let work = tempfile::Builder::new()
        .prefix("aio-vm-build.")
        .tempdir_in(out)
        .map_err(VmError::io(out))?;
    let root = work.path().join("root");
    run(Command::new("mmdebstrap")
        .args(["--variant=apt", "--mode=root", "--format=directory"])
        .arg(format!("--include={}", recipe.packages.join(",")))
        .arg(format!("--setup-hook={}", recipe.setup_hook))
        .arg(format!("--customize-hook={}", recipe.customize_hook))
        .arg(&recipe.suite)
        .arg(&root)
        .arg(&recipe.mirror))?;
    copy_boot_file(&root, KERNEL, &out.join(KERNEL))?;
    copy_boot_file(&root, INITRD, &out.join(INITRD))?;
    let raw = work.path().join("disk.raw");
    run(Command::new("mkfs.ext4")
        .args(["-q", "-L", "aio-root", "-d"])
        .arg(&root)
        .arg(&raw)
        .arg(format!("{}M", recipe.disk_mib)))?;
    std::fs::remove_dir_all(&root).map_err(VmError::io(&root))?;
    run(Command::new("qemu-img")
        .args(["convert", "-c", "-f", "raw", "-O", "qcow2"])
        .arg(&raw)
        .arg(out.join(BASE)))?;
    // Overlays only read it; nothing else should write it either.
    for name in [BASE, KERNEL, INITRD] {
        let path = out.join(name);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444))
            .map_err(VmError::io(&path))?;
    }
    Ok(())
}

/// Copies the kernel or initrd `name` (`vmlinuz`, `initrd.img`) of the
/// system in `root` to `to`: the one Debian's symlink `/NAME` (or
/// `/boot/NAME`) points at, the one the system boots; without the symlink,
/// the newest by version of `/boot/NAME-*`.
fn copy_boot_file(root: &Path, name: &str, to: &Path) -> Result<(), VmError> {
    let boot = root.join("boot");
    let linked = [root, boot.as_path()].into_iter().find_map(|dir| {
        let target = std::fs::read_link(dir.join(name)).ok()?;
        Some(within(root, dir, &target))
    });
    let from = match linked {
        Some(from) => from,
        None => {
            let names = std::fs::read_dir(&boot)
                .map_err(VmError::io(&boot))?
                .filter_map(Result::ok)
                .map(|entry| entry.file_name().to_string_lossy().into_owned());
            let newest = newest(names, &format!("{name}-")).ok_or_else(|| VmError::Io {
                path: boot.join(format!("{name}-*")),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            })?;
            boot.join(newest)
        }
    };
    std::fs::copy(&from, to).map_err(VmError::io(&from))?;
    Ok(())
}

/// Where symlink target `target` of a link in `dir` is, for the system in
/// `root`: an absolute target is the root's, not this machine's.
fn within(root: &Path, dir: &Path, target: &Path) -> PathBuf {
    match target.strip_prefix("/") {
        Ok(inside) => root.join(inside),
        Err(_) => dir.join(target),
    }
}

/// The name starting with `prefix` of the highest version: numbers compare
/// as numbers (`6.1.0-28` is newer than `6.1.0-9`).
fn newest(names: impl Iterator<Item = String>, prefix: &str) -> Option<String> {
    names
        .filter(|name| name.starts_with(prefix))
        .max_by_key(|name| version(name))
}

/// A part of a version: a number, or the text between numbers.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Number(u64),
    Text(String),
}

/// `name` cut into numbers and the text between them.
fn version(name: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = name;
    while let Some(first) = rest.chars().next() {
        let digit = first.is_ascii_digit();
        let end = rest
            .find(|c: char| c.is_ascii_digit() != digit)
            .unwrap_or(rest.len());
        let (part, tail) = rest.split_at(end);
        parts.push(match part.parse() {
            Ok(number) if digit => Part::Number(number),
            _ => Part::Text(part.to_string()),
        });
        rest = tail;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn the_newest_kernel_is_found_by_version_not_by_text() {
        let boot = names(&[
            "config-6.1.0-28-amd64",
            "vmlinuz-6.1.0-9-amd64",
            "vmlinuz-6.1.0-28-amd64",
            "vmlinuz-6.1.0-10-amd64",
        ]);
        assert_eq!(
            newest(boot, "vmlinuz-").as_deref(),
            Some("vmlinuz-6.1.0-28-amd64")
        );
        assert_eq!(newest(names(&["config-6.1.0-9"]), "vmlinuz-"), None);
    }

    #[test]
    fn a_link_target_is_read_inside_the_root() {
        let root = Path::new("/tmp/r");
        assert_eq!(
            within(root, root, Path::new("boot/vmlinuz-6.1.0-9-amd64")),
            Path::new("/tmp/r/boot/vmlinuz-6.1.0-9-amd64")
        );
        assert_eq!(
            within(
                root,
                &root.join("boot"),
                Path::new("/boot/vmlinuz-6.1.0-9-amd64")
            ),
            Path::new("/tmp/r/boot/vmlinuz-6.1.0-9-amd64")
        );
        assert_eq!(
            within(root, &root.join("boot"), Path::new("vmlinuz-6.1.0-9-amd64")),
            Path::new("/tmp/r/boot/vmlinuz-6.1.0-9-amd64")
        );
    }

    #[test]
    fn the_kernel_copied_is_the_one_debians_symlink_names() {
        let root = tempfile::tempdir().unwrap();
        let boot = root.path().join("boot");
        std::fs::create_dir(&boot).unwrap();
        for version in ["6.1.0-9", "6.1.0-28", "6.1.0-10"] {
            std::fs::write(boot.join(format!("vmlinuz-{version}-amd64")), version).unwrap();
        }
        let out = root.path().join("copied");
        copy_boot_file(root.path(), "vmlinuz", &out).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "6.1.0-28");

        std::os::unix::fs::symlink("boot/vmlinuz-6.1.0-10-amd64", root.path().join("vmlinuz"))
            .unwrap();
        copy_boot_file(root.path(), "vmlinuz", &out).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "6.1.0-10");
    }
}
