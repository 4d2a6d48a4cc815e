//! What went wrong while aio read or changed masquerade rules, and the
//! engine's kind of each: the one place a NAT failure gets its kind.

use std::process::{Command, ExitStatus, Output};

use aio_engine::{ErrorKind, ProviderError, ResourceId};

/// A program aio runs for masquerade rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// `nft`: aio's table, the ruleset, aio's batch.
    Nft,
    /// `iptables-nft-save`: iptables' own form of iptables-nft rules.
    IptablesNftSave,
    /// `iptables-legacy-restore`: deletes the old installer's legacy rules.
    IptablesLegacyRestore,
}

impl Tool {
    /// Its name, found on PATH.
    pub fn program(self) -> &'static str {
        match self {
            Tool::Nft => "nft",
            Tool::IptablesNftSave => "iptables-nft-save",
            Tool::IptablesLegacyRestore => "iptables-legacy-restore",
        }
    }

    /// Runs `command` (a child that dies with aio) as this tool, with
    /// `stdin` written to it: its output, whatever its status.
    pub(crate) fn output(
        self,
        command: &mut Command,
        stdin: Option<&[u8]>,
    ) -> Result<Output, NatError> {
        aio_child::output(command, stdin)
            .map_err(|source| NatError::CannotRun { tool: self, source })
    }
}

impl std::fmt::Display for Tool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.program())
    }
}

/// What `nft` was asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NftTask {
    /// `nft -j list table ip TABLE`: aio's table.
    ListTable { table: &'static str },
    /// `nft -j list ruleset`.
    ListRuleset,
    /// `nft -j -f -` with aio's batch.
    ApplyBatch,
}

impl std::fmt::Display for NftTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NftTask::ListTable { table } => write!(f, "listing table ip {table}"),
            NftTask::ListRuleset => f.write_str("listing the ruleset"),
            NftTask::ApplyBatch => f.write_str("applying aio's batch"),
        }
    }
}

/// Why aio could not read or change masquerade rules.
#[derive(Debug, thiserror::Error)]
pub enum NatError {
    /// The program cannot be started: not installed, or not executable.
    #[error("{}", cannot_run(*.tool, .source))]
    CannotRun { tool: Tool, source: std::io::Error },
    /// `iptables-nft-save` is not on PATH, so iptables' form of a rule is not known.
    #[error("{} is not installed to show its iptables form", Tool::IptablesNftSave)]
    NftSaveMissing,
    /// `nft` ran and refused: its stderr, trimmed.
    #[error("nft failed while {task}: {stderr}")]
    NftRefused { task: NftTask, stderr: String },
    /// `nft` printed JSON aio cannot read.
    #[error("nft printed a ruleset aio cannot read: {0}")]
    NftUnreadable(serde_json::Error),
    /// aio's batch could not be written as nft's JSON.
    #[error("{0}")]
    BatchUnwritable(serde_json::Error),
    /// `iptables-nft-save` failed or could not read iptables' nat table.
    #[error("{} cannot read table ip {table}", Tool::IptablesNftSave)]
    NftSaveUnreadable { table: &'static str },
    /// `iptables-nft-save` was asked for once, and its answer is gone.
    #[error("{} was not read", Tool::IptablesNftSave)]
    NftSaveNotRead,
    /// `iptables-legacy-restore` ran and refused: its status and stderr, trimmed.
    #[error(
        "{} --noflush failed ({status}): {stderr}",
        Tool::IptablesLegacyRestore
    )]
    RestoreRefused { status: ExitStatus, stderr: String },
    /// The plan deletes a rule without saying what it did.
    #[error(
        "{id}: the plan does not say which source and interface it masquerades; nothing was changed"
    )]
    Unplanned { id: ResourceId },
    /// An installer's rule to delete is no longer exactly the installer's.
    #[error("{id} changed since the plan ({why}); nothing was changed")]
    ChangedSincePlan { id: ResourceId, why: String },
    /// A rule's place names an nftables family aio does not know.
    #[error("{id}: {source}")]
    UnknownFamily {
        id: ResourceId,
        source: serde_json::Error,
    },
}

/// The words for a program that cannot be started, as each has always said them.
fn cannot_run(tool: Tool, source: &std::io::Error) -> String {
    match tool {
        Tool::Nft => format!("cannot run {tool} (is nftables installed?): {source}"),
        Tool::IptablesNftSave => format!("{tool} cannot run: {source}"),
        Tool::IptablesLegacyRestore => format!("cannot run {tool}: {source}"),
    }
}

impl NatError {
    /// The engine's kind of this failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            NatError::CannotRun { .. }
            | NatError::NftSaveMissing
            | NatError::NftUnreadable(_)
            | NatError::NftSaveUnreadable { .. }
            | NatError::NftSaveNotRead => ErrorKind::Unreachable,
            NatError::NftRefused { task, .. } => match task {
                NftTask::ListTable { .. } | NftTask::ListRuleset => ErrorKind::Unreachable,
                NftTask::ApplyBatch => ErrorKind::Failed,
            },
            NatError::RestoreRefused { .. } => ErrorKind::Failed,
            NatError::BatchUnwritable(_)
            | NatError::Unplanned { .. }
            | NatError::UnknownFamily { .. } => ErrorKind::Invalid,
            NatError::ChangedSincePlan { .. } => ErrorKind::Conflict,
        }
    }
}

impl From<NatError> for ProviderError {
    fn from(e: NatError) -> Self {
        ProviderError::new(e.kind(), e.to_string())
    }
}

/// A program's stderr as aio shows it.
pub(crate) fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).trim().to_string()
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::ExitStatusExt;

    use super::*;
    use crate::foreign::NFT_RULE;

    /// `tool` run as the program at `path`.
    fn run_at(tool: Tool, path: &std::path::Path) -> NatError {
        tool.output(&mut Command::new(path), None).unwrap_err()
    }

    #[test]
    fn a_program_that_is_not_there_cannot_run_and_is_unreachable() {
        let nowhere = std::path::Path::new("/nonexistent/aio-nat-test/nft");
        let e = run_at(Tool::Nft, nowhere);
        assert!(
            matches!(&e, NatError::CannotRun { tool: Tool::Nft, source }
                if source.kind() == std::io::ErrorKind::NotFound),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "cannot run nft (is nftables installed?): No such file or directory (os error 2)"
        );
        let e = ProviderError::from(e);
        assert_eq!(e.kind(), ErrorKind::Unreachable);
        assert!(e.applied.is_empty());

        assert_eq!(
            run_at(Tool::IptablesNftSave, nowhere).to_string(),
            "iptables-nft-save cannot run: No such file or directory (os error 2)"
        );
        let e = run_at(Tool::IptablesLegacyRestore, nowhere);
        assert_eq!(
            e.to_string(),
            "cannot run iptables-legacy-restore: No such file or directory (os error 2)"
        );
        assert_eq!(e.kind(), ErrorKind::Unreachable);
    }

    #[test]
    fn a_program_that_is_not_executable_cannot_run_and_is_unreachable() {
        let dir = std::env::temp_dir().join(format!("aio-nat-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("nft");
        std::fs::write(&file, "#!/bin/sh\nexit 0\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = run_at(Tool::Nft, &file);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            matches!(&e, NatError::CannotRun { source, .. }
                if source.kind() == std::io::ErrorKind::PermissionDenied),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .starts_with("cannot run nft (is nftables installed?): Permission denied"),
            "{e}"
        );
        assert_eq!(e.kind(), ErrorKind::Unreachable);
    }

    #[test]
    fn each_failure_keeps_its_words_and_has_its_kind() {
        let id = ResourceId::new(&NFT_RULE, "ip/nat/POSTROUTING/4");
        let json = || serde_json::from_str::<serde_json::Value>("nft?").unwrap_err();
        let family = serde_json::from_value::<nftables::types::NfFamily>(
            serde_json::Value::String("ipx".into()),
        )
        .unwrap_err();
        let cases = [
            (
                NatError::NftSaveMissing,
                "iptables-nft-save is not installed to show its iptables form".to_string(),
                ErrorKind::Unreachable,
            ),
            (
                NatError::NftSaveUnreadable { table: "nat" },
                "iptables-nft-save cannot read table ip nat".into(),
                ErrorKind::Unreachable,
            ),
            (
                NatError::NftSaveNotRead,
                "iptables-nft-save was not read".into(),
                ErrorKind::Unreachable,
            ),
            (
                NatError::NftUnreadable(json()),
                format!("nft printed a ruleset aio cannot read: {}", json()),
                ErrorKind::Unreachable,
            ),
            (
                NatError::BatchUnwritable(json()),
                json().to_string(),
                ErrorKind::Invalid,
            ),
            (
                NatError::RestoreRefused {
                    status: ExitStatus::from_raw(2 << 8),
                    stderr: "iptables-legacy-restore: line 2 failed".into(),
                },
                "iptables-legacy-restore --noflush failed (exit status: 2): iptables-legacy-restore: line 2 failed".into(),
                ErrorKind::Failed,
            ),
            (
                NatError::Unplanned { id: id.clone() },
                "nft-rule/ip/nat/POSTROUTING/4: the plan does not say which source and interface it masquerades; nothing was changed".into(),
                ErrorKind::Invalid,
            ),
            (
                NatError::ChangedSincePlan {
                    id: id.clone(),
                    why: "it reads `...`".into(),
                },
                "nft-rule/ip/nat/POSTROUTING/4 changed since the plan (it reads `...`); nothing was changed".into(),
                ErrorKind::Conflict,
            ),
            (
                NatError::UnknownFamily {
                    id: id.clone(),
                    source: family,
                },
                "nft-rule/ip/nat/POSTROUTING/4: unknown variant `ipx`".into(),
                ErrorKind::Invalid,
            ),
        ];
        for (e, words, kind) in cases {
            let text = e.to_string();
            assert!(text.starts_with(&words), "{text:?} is not {words:?}");
            let provider = ProviderError::from(e);
            assert_eq!((provider.message, provider.kind), (text, kind));
        }
    }
}
