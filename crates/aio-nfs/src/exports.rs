//! Exports files as exports(5) writes them: aio's drop-in, which it owns
//! whole, and `/etc/exports`, which is the operator's and which aio edits
//! only to move an adopted line into the drop-in (every other byte kept).

/// aio's drop-in, read by exportfs with `/etc/exports` (exportfs(8)).
pub const DROP_IN: &str = "/etc/exports.d/aio.exports";
/// The operator's exports file.
pub const ETC_EXPORTS: &str = "/etc/exports";
/// The first line of the drop-in: what tells it is aio's.
pub const HEADER: &str =
    "# Written by aio from its topology's [nfs]; edits are drift, which aio puts back.";
/// The most of an exports file aio reads.
pub const MOST_BYTES: u64 = 1024 * 1024;

/// One export entry: its physical lines (1-based, first and last, a `\`
/// continuing a line) and its text, continuations joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub first: usize,
    pub last: usize,
    pub text: String,
}

impl Entry {
    /// The directory the entry exports: its first field, unquoted.
    pub fn path(&self) -> Option<String> {
        let text = self.text.trim_start();
        if let Some(rest) = text.strip_prefix('"') {
            let end = rest.find('"')?;
            return Some(rest[..end].to_string());
        }
        text.split_whitespace().next().map(str::to_string)
    }
}

/// The entries of an exports file, comments and blank lines left out.
pub fn entries(text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut open: Option<Entry> = None;
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let (body, continues) = match raw.trim_end().strip_suffix('\\') {
            Some(body) => (body, true),
            None => (raw.trim_end(), false),
        };
        let entry = match open.take() {
            Some(mut e) => {
                e.text.push(' ');
                e.text.push_str(body.trim());
                e.last = number;
                e
            }
            None if body.trim().is_empty() || body.trim_start().starts_with('#') => continue,
            None => Entry {
                first: number,
                last: number,
                text: body.trim().to_string(),
            },
        };
        if continues {
            open = Some(entry);
        } else {
            out.push(entry);
        }
    }
    out.extend(open);
    out
}

/// The drop-in's whole text for `lines`.
pub fn render(lines: &[String]) -> String {
    let mut out = format!("{HEADER}\n");
    for l in lines {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// Whether `text` is a drop-in aio wrote.
pub fn is_aios(text: &str) -> bool {
    text.lines().next() == Some(HEADER)
}

/// `text` without the physical lines of `removed`, every other byte kept.
pub fn without(text: &str, removed: &[Entry]) -> String {
    let gone = |n: usize| removed.iter().any(|e| (e.first..=e.last).contains(&n));
    text.split_inclusive('\n')
        .enumerate()
        .filter(|(i, _)| !gone(i + 1))
        .map(|(_, l)| l)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = "# /etc/exports: the access control list\n\
        /srv/other 10.0.0.0/8(ro)\n\
        /mnt/nfs *(rw,sync,no_root_squash,no_subtree_check)\n\
        \n\
        /mnt/nfs *(rw,sync,no_root_squash,\\\n  no_subtree_check)\n";

    #[test]
    fn entries_join_continued_lines_and_skip_comments() {
        let found = entries(SEED);
        let shown: Vec<(usize, usize, Option<String>)> =
            found.iter().map(|e| (e.first, e.last, e.path())).collect();
        assert_eq!(
            shown,
            [
                (2, 2, Some("/srv/other".into())),
                (3, 3, Some("/mnt/nfs".into())),
                (5, 6, Some("/mnt/nfs".into())),
            ]
        );
        assert_eq!(
            found[2].text,
            "/mnt/nfs *(rw,sync,no_root_squash, no_subtree_check)"
        );
    }

    #[test]
    fn removing_entries_keeps_every_other_byte() {
        let found = entries(SEED);
        let mine: Vec<Entry> = found
            .into_iter()
            .filter(|e| e.path().as_deref() == Some("/mnt/nfs"))
            .collect();
        assert_eq!(
            without(SEED, &mine),
            "# /etc/exports: the access control list\n/srv/other 10.0.0.0/8(ro)\n\n"
        );
    }

    #[test]
    fn the_drop_in_says_it_is_aios() {
        let text = render(&["/mnt/nfs 192.0.2.10(rw)".into()]);
        assert!(is_aios(&text));
        assert_eq!(entries(&text)[0].path().as_deref(), Some("/mnt/nfs"));
        assert!(!is_aios("/mnt/nfs *(rw)\n"));
        assert_eq!(
            entries("\"/srv/a b\" h(rw)")[0].path().as_deref(),
            Some("/srv/a b")
        );
    }
}
