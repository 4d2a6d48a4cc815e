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
    let boot = root.join("boot");
    copy_newest(&boot, "vmlinuz-", &out.join(KERNEL))?;
    copy_newest(&boot, "initrd.img-", &out.join(INITRD))?;
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

/// Copies the last (by name) file of `dir` starting with `prefix` to `to`.
fn copy_newest(dir: &Path, prefix: &str, to: &Path) -> Result<(), VmError> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(VmError::io(dir))?
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(prefix))
        .collect();
    names.sort();
    let name = names.pop().ok_or_else(|| VmError::Io {
        path: dir.join(format!("{prefix}*")),
        source: std::io::Error::from(std::io::ErrorKind::NotFound),
    })?;
    std::fs::copy(dir.join(&name), to).map_err(VmError::io(to))?;
    Ok(())
}
