//! Whether one unit is the old installer's: its file, every `Exec*=` line,
//! and every script they run, read inside the root.

use std::path::PathBuf;

use super::declared::Declared;
use super::in_root::Root;
use super::script;
use super::unit_file::{self, UnitShape};
use aio_fs::Bound;

use super::unit_file::UNIT_DIR;
use super::verdict::NotTheInstallers;

/// What reading one unit found.
pub(super) struct Judged {
    pub runs: Vec<String>,
    pub verdict: Result<(), NotTheInstallers>,
    /// Some line of its scripts does aio's work.
    pub related: bool,
}

/// Whether unit `name` is the installer's.
pub(super) fn judge(
    root: &Root,
    name: &str,
    declared: Declared<'_>,
    drop_ins: Option<PathBuf>,
) -> Judged {
    let mut judged = Judged {
        runs: Vec::new(),
        verdict: Ok(()),
        related: false,
    };
    let rel = format!("{UNIT_DIR}/{name}");
    let execs = match root.read(&rel, Bound::UNIT.most) {
        Ok(text) => unit_file::execs(&text).map_err(NotTheInstallers::Shape),
        Err(why) => Err(NotTheInstallers::Unreadable {
            path: root.shown(&rel),
            why,
        }),
    };
    let execs = match execs {
        Ok(execs) => execs,
        Err(why) => {
            judged.verdict = Err(why);
            return judged;
        }
    };
    let mut first_error = drop_ins.map(NotTheInstallers::DropIns);
    for exec in execs {
        judged.runs.push(exec.line.clone());
        let verdict = match exec.script {
            None => Err(NotTheInstallers::Shape(UnitShape::NotAScript(exec.line))),
            Some(script) => {
                let shown = root.shown(&script.path);
                match root.read(&script.path, Bound::UNIT.most) {
                    Err(why) => Err(NotTheInstallers::Unreadable { path: shown, why }),
                    Ok(text) => {
                        let reading = script::read(&text, declared, script.through_shell);
                        judged.related |= reading.accounted > 0;
                        match reading.first_unaccounted {
                            Some((line, text, why)) => Err(NotTheInstallers::Unaccounted {
                                script: shown,
                                line,
                                text,
                                why,
                            }),
                            None if reading.accounted == 0 => {
                                Err(NotTheInstallers::DoesNothing(shown))
                            }
                            None => Ok(()),
                        }
                    }
                }
            }
        };
        if let (Err(why), None) = (verdict, &first_error) {
            first_error = Some(why);
        }
    }
    if let Some(why) = first_error {
        judged.verdict = Err(why);
    }
    judged
}
