//! `aio`: plan and apply the host side of an all-in-one OpenStack from `topology.toml`.
//!
//! The binary is thin: it reads the command line, opens a [`session::Session`]
//! (topology, facts, providers) and prints what the engine answers.

mod cli;
mod session;

use clap::Parser;
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use aio_engine::Plan;
use cli::{Cli, Command, Target};
use session::Session;

/// Everything that ends a command with exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0}")]
    Topology(#[from] aio_topology::LoadError),
    #[error("{0}")]
    Facts(#[from] aio_topology::Diagnostics),
    #[error("{0}")]
    Netlink(#[from] aio_netlink::NetlinkError),
    #[error("plan failed, nothing was changed: {0}")]
    Plan(#[from] aio_engine::PlanError),
    #[error("apply failed: {0}")]
    Apply(#[from] aio_engine::ApplyError),
    #[error("{0}")]
    Refused(String),
}

/// Exit code 2: `plan --detailed-exitcode` found changes.
const CHANGES_PENDING: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(run(cli.command)) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<u8, Failure> {
    match command {
        Command::Validate { file } => {
            let t = aio_topology::load(&file.path)?;
            println!(
                "{}: valid ({} interfaces)",
                file.path.display(),
                t.interfaces.len()
            );
            Ok(0)
        }
        Command::Plan {
            target,
            json,
            detailed_exitcode,
        } => {
            let session = Session::open(&target).await?;
            let plan = session.plan().await?;
            print_plan(&session, &target, &plan, json);
            unavailable(&plan)?;
            Ok(if detailed_exitcode && !plan.is_converged() {
                CHANGES_PENDING
            } else {
                0
            })
        }
        Command::Apply { target, yes, json } => apply(&target, yes, json).await,
    }
}

fn print_plan(session: &Session, target: &Target, plan: &Plan, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&plan.to_json()).expect("plans serialize")
        );
        return;
    }
    println!("aio plan of {}", target.file.path.display());
    for (k, v) in &plan.facts {
        println!("  {k}: {v}");
    }
    println!();
    println!("{plan}");
    if !session.skipped_sysctls.is_empty() {
        eprintln!(
            "note: in a network namespace only net.* sysctls are its own; left out: {}",
            session.skipped_sysctls.join(", ")
        );
    }
}

async fn apply(target: &Target, yes: bool, json: bool) -> Result<u8, Failure> {
    let session = Session::open(target).await?;
    let plan = session.plan().await?;
    print_plan(&session, target, &plan, json);
    if plan.is_empty() {
        unavailable(&plan)?;
        return Ok(0);
    }
    if !yes && !confirm()? {
        return Err(Failure::Refused(
            "apply cancelled, nothing was changed".into(),
        ));
    }
    session.remember_vip()?;
    let report = session.engine.apply(&plan, &session.desired).await?;
    let (applied, waiting) = follow_up(&session, &plan, report.applied, json).await?;
    if json {
        println!(
            "{}",
            serde_json::json!({"applied": applied, "waiting": waiting, "converged": waiting == 0})
        );
    } else {
        let rest = match (waiting, plan.unavailable.len()) {
            (0, 0) => "the system matches the topology".to_string(),
            (n, 0) => format!("{n} waiting for other resources"),
            (_, n) => format!("{n} could not be checked"),
        };
        println!("\nApply complete: {applied} change(s) applied; {rest}.");
    }
    unavailable(&plan)?;
    Ok(0)
}

/// Changes that waited for something this apply made (a port on the bridge
/// Kolla's deploy created) may be possible now: one more pass for those only.
/// Returns all changes applied and how many still wait.
async fn follow_up(
    session: &Session,
    plan: &Plan,
    applied: usize,
    json: bool,
) -> Result<(usize, usize), Failure> {
    if plan.waiting.is_empty() || applied == 0 {
        return Ok((applied, plan.waiting.len()));
    }
    let next = session.plan().await?;
    let was_waiting = |c: &aio_engine::Change| plan.waiting.iter().any(|w| w.id == c.id);
    let unblocked: Vec<_> = next
        .changes
        .iter()
        .filter(|c| was_waiting(c))
        .cloned()
        .collect();
    if unblocked.is_empty() {
        return Ok((applied, next.waiting.len()));
    }
    let follow = Plan {
        changes: unblocked,
        ..next
    };
    if !json {
        println!("\nNow possible, after what was just applied:\n{follow}");
    }
    let report = session.engine.apply(&follow, &session.desired).await?;
    Ok((applied + report.applied, follow.waiting.len()))
}

/// Resources that could not be observed make the command fail, after the rest was done.
fn unavailable(plan: &Plan) -> Result<(), Failure> {
    let mut reasons: Vec<&str> = plan
        .unavailable
        .iter()
        .map(|p| p.reason.as_str())
        .filter(|r| !r.starts_with("waits for "))
        .collect();
    reasons.dedup();
    if reasons.is_empty() {
        return Ok(());
    }
    Err(Failure::Refused(format!(
        "{} resource(s) could not be planned: {}",
        plan.unavailable.len(),
        reasons.join("; ")
    )))
}

/// Asks on the terminal; without one, refuses rather than hang.
fn confirm() -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Refused(
            "no terminal to ask for confirmation: run `aio apply --yes` to apply this plan".into(),
        ));
    }
    print!("\nApply these changes? Only 'yes' is accepted: ");
    std::io::stdout().flush().ok();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok();
    Ok(answer.trim() == "yes")
}
