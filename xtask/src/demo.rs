//! The main job, shown in a sandbox: a namespace that plays the all-in-one
//! host (uplink `eth0` with a default route), the reference topology planned,
//! applied, and planned again to show it converged. Everything is removed at
//! the end; the machine's own network is never touched.

use aio_sandbox::Sandbox;

use crate::{require_root, root, sh};

pub fn run() -> Result<(), String> {
    require_root("cargo xtask demo")?;
    sh("cargo", &["build", "--quiet", "--package", "aio"])?;
    let aio = root().join("target/debug/aio");
    let aio = aio.to_str().ok_or("non-UTF-8 path")?;
    let topology = root().join("examples/openstack-aio.toml");
    let topology = topology.to_str().ok_or("non-UTF-8 path")?;
    let state = std::env::temp_dir().join(format!("aio-demo-state-{}", std::process::id()));
    let state = state.to_str().ok_or("non-UTF-8 path")?.to_string();

    println!(
        "\n== a sandbox host: namespace aio-demo, uplink eth0 192.0.2.10/24, default route via 192.0.2.1"
    );
    let sandbox = Sandbox::new("aio-demo");
    let target = [
        "-f",
        topology,
        "--netns",
        &sandbox.ns,
        "--state-dir",
        &state,
    ];
    let result = (|| {
        sh(aio, &[&["validate"][..], &target[..2]].concat())?;
        println!("\n== what apply would change");
        sh(aio, &[&["plan"][..], &target].concat())?;
        println!("\n== apply");
        sh(aio, &[&["apply", "--yes"][..], &target].concat())?;
        println!("\n== the sandbox now");
        print!("{}", sandbox.ip(&["-br", "link"]));
        print!("{}", sandbox.ip(&["-br", "-4", "addr"]));
        println!("\n== a second plan: nothing left to do (exit 0 with --detailed-exitcode)");
        sh(
            aio,
            &[&["plan", "--detailed-exitcode"][..], &target].concat(),
        )
    })();
    drop(sandbox);
    let _ = std::fs::remove_dir_all(&state);
    println!("\n== sandbox removed");
    result
}
