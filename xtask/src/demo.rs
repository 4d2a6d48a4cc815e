//! The main job, shown in a sandbox: a namespace that plays the all-in-one
//! host (uplink `eth0` with a default route), a private ovsdb-server standing
//! in for Kolla's, the reference topology planned, applied, and planned again
//! to show it converged. Everything is removed at the end; the machine's own
//! network is never touched.

use aio_sandbox::Sandbox;
use aio_sandbox::ovs::Ovsdb;

use crate::{require_root, root, sh};

pub fn run() -> Result<(), String> {
    require_root("cargo xtask demo")?;
    sh("cargo", &["build", "--quiet", "--package", "aio"])?;
    let aio = root().join("target/debug/aio");
    let aio = aio.to_str().ok_or("non-UTF-8 path")?;
    let work = std::env::temp_dir().join(format!("aio-demo-{}", std::process::id()));
    let state = work.join("state").display().to_string();
    let topology = work.join("openstack-aio.toml").display().to_string();

    println!(
        "\n== a sandbox host: namespace aio-demo, uplink eth0 192.0.2.10/24, default route via 192.0.2.1"
    );
    let sandbox = Sandbox::new("aio-demo");
    println!(
        "== a private ovsdb-server standing in for Kolla's openvswitch_db, with br-ex as Kolla creates it"
    );
    let ovsdb = Ovsdb::start(&[]);
    ovsdb.vsctl(&["init"]);
    ovsdb.vsctl(&[
        "add-br",
        "br-ex",
        "--",
        "set",
        "bridge",
        "br-ex",
        "datapath_type=netdev",
    ]);
    let result = (|| {
        let reference = std::fs::read_to_string(root().join("examples/openstack-aio.toml"))
            .map_err(|e| e.to_string())?;
        std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
        let demo =
            aio_sandbox::sandboxed_reference(&reference, &ovsdb.unix(), &work.join("kolla"), false);
        std::fs::write(&topology, demo).map_err(|e| e.to_string())?;
        println!(
            "== the reference topology, its [ovs] db pointed there, Kolla rendering only, under {}",
            work.display()
        );

        let target = [
            "-f",
            &topology,
            "--netns",
            &sandbox.ns,
            "--state-dir",
            &state,
        ];
        sh(aio, &[&["validate"][..], &target[..2]].concat())?;
        println!("\n== what apply would change");
        sh(aio, &[&["plan"][..], &target].concat())?;
        println!("\n== apply");
        sh(aio, &[&["apply", "--yes"][..], &target].concat())?;
        println!("\n== the sandbox now");
        print!("{}", sandbox.ip(&["-br", "link"]));
        print!("{}", sandbox.ip(&["-br", "-4", "addr"]));
        println!("$ ovs-vsctl show\n{}", ovsdb.vsctl(&["show"]));
        println!("\n== a second plan: nothing left to do (exit 0 with --detailed-exitcode)");
        sh(
            aio,
            &[&["plan", "--detailed-exitcode"][..], &target].concat(),
        )
    })();
    drop(ovsdb);
    drop(sandbox);
    let _ = std::fs::remove_dir_all(&work);
    println!("\n== sandbox removed");
    result
}
