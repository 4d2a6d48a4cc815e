//! Located errors: what is wrong, where (`FILE:LINE:COL`), and what would be right.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A byte range in the topology file.
pub type Span = Range<usize>;

/// The text of a topology file and where it came from, shared by every diagnostic.
#[derive(Debug, Clone)]
pub struct Source {
    path: PathBuf,
    text: Arc<str>,
}

impl Source {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        Source {
            path: path.into(),
            text: text.into(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }

    /// The whole line holding `offset`, without its newline.
    pub fn line_text(&self, offset: usize) -> &str {
        let offset = offset.min(self.text.len());
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i);
        &self.text[start..end]
    }

    /// The source text a span covers (empty when out of range).
    pub fn slice(&self, span: &Span) -> &str {
        self.text.get(span.clone()).unwrap_or("")
    }
}

/// One problem in a topology file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            span,
            message: message.into(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Every problem found in one file; rendered compiler-style by `Display`.
#[derive(Debug, Clone, thiserror::Error)]
pub struct Diagnostics {
    pub file: Source,
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn single(source: &Source, diagnostic: Diagnostic) -> Self {
        Diagnostics {
            file: source.clone(),
            items: vec![diagnostic],
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.items.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            render(&self.file, d, f)?;
        }
        let n = self.items.len();
        write!(
            f,
            "\n{}: {n} error{} in the topology; nothing was changed",
            self.file.path().display(),
            if n == 1 { "" } else { "s" }
        )
    }
}

/// Lines longer than this are shown as a window around the column.
const SHOWN: usize = 100;

fn render(source: &Source, d: &Diagnostic, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let (line, col) = source.line_col(d.span.start);
    writeln!(
        f,
        "{}:{line}:{col}: error: {}",
        source.path().display(),
        d.message
    )?;
    // A line that holds a credential is shown with it hidden.
    let shown = crate::secret::mask_text(source.line_text(d.span.start));
    let chars: Vec<char> = shown.chars().collect();
    // The window of the line shown, and the caret's place in it.
    let start = (col - 1)
        .saturating_sub(SHOWN / 2)
        .min(chars.len().saturating_sub(SHOWN));
    let end = (start + SHOWN).min(chars.len());
    let mut text: String = chars[start..end].iter().collect();
    if start > 0 {
        text.insert_str(0, "...");
    }
    if end < chars.len() {
        text.push_str("...");
    }
    let pad = col - 1 - start + if start > 0 { 3 } else { 0 };
    let wanted = source
        .slice(&d.span)
        .lines()
        .next()
        .map_or(1, |s| s.chars().count().max(1));
    let width = wanted.min(end.saturating_sub(col - 1).max(1));
    let gutter = line.to_string().len();
    writeln!(f, "{:gutter$} |", "")?;
    writeln!(f, "{line} | {text}")?;
    writeln!(f, "{:gutter$} | {:pad$}{}", "", "", "^".repeat(width))?;
    if let Some(help) = &d.help {
        writeln!(f, "{:gutter$} = help: {help}", "")?;
    }
    Ok(())
}
