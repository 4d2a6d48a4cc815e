//! One module per command; [`run`] picks it.

mod adopt;
mod apply;
mod completions;
mod destroy;
mod doctor;
mod graph;
mod init;
mod plan;
mod run;
mod service;
mod show;
mod state;
mod watch;

pub use service::packaged as packaged_unit;

use crate::Failure;
use crate::cli::{Command, SchemaKind, ServiceAction, StateAction};

/// Runs `command`; the exit code on success.
pub async fn run(command: Command) -> Result<u8, Failure> {
    match command {
        Command::Init {
            file,
            uplink,
            netns,
        } => init::run(&file.path, &uplink, netns.as_deref()).await,
        Command::Completions { shell } => Ok(completions::run(shell)),
        Command::Validate { file, json: false } => {
            let t = aio_topology::load(&file.path)?;
            outln!(
                "{}: valid ({} interfaces)",
                file.path.display(),
                t.interfaces.len()
            );
            Ok(0)
        }
        Command::Validate { file, json: true } => Ok(validate_json(&file.path)),
        Command::Plan {
            target,
            json,
            detailed_exitcode,
            out,
            destroy,
        } => {
            let ended = if destroy {
                plan::destroy(&target, json).await?
            } else {
                plan::run(&target, json, out.as_deref()).await?
            };
            Ok(ended.code(detailed_exitcode))
        }
        Command::Apply {
            saved,
            target,
            write,
            json,
            no_rollback,
            rerun,
        } => {
            let how = apply::How {
                write: &write,
                json,
                rollback: !no_rollback,
                reruns: &rerun,
            };
            match saved {
                Some(file) => apply::saved(&file, &target, &how).await,
                None => apply::live(&target, &how).await,
            }
        }
        Command::Adopt {
            target,
            write,
            root,
        } => adopt::run(&target, &write, root.as_deref()).await,
        Command::Destroy {
            target,
            write,
            kolla_ansible_destroy,
        } => destroy::run(&target, &write, kolla_ansible_destroy).await,
        Command::Watch {
            target,
            resync,
            lock_timeout,
        } => watch::run(&target, resync, lock_timeout).await,
        Command::Show {
            saved: Some(file),
            json,
            ..
        } => show::saved(&file, json),
        Command::Show {
            saved: None,
            target,
            json,
        } => show::run(&target, json).await,
        Command::Graph { file } => graph::run(&file.path),
        Command::Doctor {
            file,
            netns,
            state_dir,
            json,
        } => {
            let target = crate::cli::Target {
                file,
                netns,
                state_dir,
                targets: Vec::new(),
            };
            doctor::run(&target, json).await
        }
        Command::State { action } => match action {
            StateAction::List { dir, json } => state::list(&dir, json),
            StateAction::Rm {
                ids,
                dir,
                lock_timeout,
            } => state::rm(&ids, &dir, lock_timeout),
        },
        Command::Schema { kind } => {
            out!("{}", schema(kind));
            Ok(0)
        }
        Command::Service { action } => match action {
            ServiceAction::Install { file, unit } => service::install(&file.path, &unit).await,
            ServiceAction::Uninstall { unit } => service::uninstall(&unit),
        },
    }
}

/// The JSON Schemas of what aio reads and prints (the files in `docs/`).
fn schema(kind: SchemaKind) -> &'static str {
    match kind {
        SchemaKind::Topology => include_str!("../../../../docs/topology.schema.json"),
        SchemaKind::Plan => include_str!("../../../../docs/plan.schema.json"),
        SchemaKind::Apply => include_str!("../../../../docs/apply.schema.json"),
        SchemaKind::Show => include_str!("../../../../docs/show.schema.json"),
        SchemaKind::Validate => include_str!("../../../../docs/validate.schema.json"),
        SchemaKind::Doctor => include_str!("../../../../docs/doctor.schema.json"),
    }
}

/// `aio validate --json`: `{format_version, file, valid, errors: [{line,
/// column, message, help}]}` on stdout; exit 1 when not valid.
fn validate_json(path: &std::path::Path) -> u8 {
    use aio_topology::secret::scrub;
    let errors: Vec<serde_json::Value> = match aio_topology::load(path) {
        Ok(_) => Vec::new(),
        Err(aio_topology::LoadError::Invalid(d)) => d
            .items
            .iter()
            .map(|item| {
                let (line, column) = d.file.line_col(item.span.start);
                serde_json::json!({
                    "line": line,
                    "column": column,
                    "message": scrub(&item.message),
                    "help": item.help.as_deref().map(scrub),
                })
            })
            .collect(),
        Err(e) => vec![serde_json::json!({
            "line": null, "column": null, "message": scrub(&e.to_string()), "help": null,
        })],
    };
    let valid = errors.is_empty();
    let doc = serde_json::json!({
        "format_version": 1,
        "file": path.display().to_string(),
        "valid": valid,
        "errors": errors,
    });
    outln!("{doc:#}");
    u8::from(!valid)
}
