//! What counts as a secret, and text with secrets hidden.
//!
//! A value is a credential by its key (`*password*`, `*secret*`, `*token*`,
//! `*passphrase*`, `*key`, `connection`, `transport_url`, ...) or by its
//! content (a URL with `user:password@`, a PEM block). The files that need
//! them keep them; everything aio shows (plans, saved plans, `show`, logs,
//! errors) goes through [`mask_text`] or [`scrub`] first.

/// What a hidden value is shown as.
pub const HIDDEN: &str = "<sensitive>";

/// Whether a value under `key` must never be shown.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
    const WORDS: [&str; 7] = [
        "password",
        "passwd",
        "secret",
        "token",
        "passphrase",
        "credential",
        "private",
    ];
    WORDS.iter().any(|w| k.contains(w))
        || k == "key"
        || k.ends_with("_key")
        || k.ends_with("-key")
        || k == "connection"
        || k.ends_with("_connection")
        || k == "transport_url"
        || k.ends_with("transport_url")
}

/// Whether a value is a credential by its content.
pub fn is_secret_value(value: &str) -> bool {
    value.contains("-----BEGIN") || url_password(value).is_some()
}

/// The byte range of the password in the first `scheme://user:password@`
/// of `text`; of the whole user part in `scheme://token@`, where a token
/// stands alone (`https://TOKEN@github.com/...`).
fn url_password(text: &str) -> Option<std::ops::Range<usize>> {
    let mut from = 0;
    while let Some(i) = text[from..].find("://") {
        let start = from + i + 3;
        let rest = &text[start..];
        let end = rest
            .find(|c: char| c == '/' || c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(rest.len());
        let authority = &rest[..end];
        if let Some(at) = authority.rfind('@') {
            match authority[..at].find(':') {
                Some(colon) if colon + 1 < at => return Some(start + colon + 1..start + at),
                None if at > 0 => return Some(start..start + at),
                _ => {}
            }
        }
        from = start;
    }
    None
}

/// `text` with every URL password replaced by [`HIDDEN`].
fn mask_urls(text: &str) -> String {
    let mut out = text.to_string();
    let mut from = 0;
    while let Some(r) = url_password(&out[from..]) {
        let r = from + r.start..from + r.end;
        out.replace_range(r.clone(), HIDDEN);
        from = r.start + HIDDEN.len();
    }
    out
}

/// Free text (a log line, an error, a program's output) with URL passwords
/// and PEM blocks hidden.
pub fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_pem = false;
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if line.contains("-----BEGIN") {
            in_pem = true;
            out.push_str(&line[..line.find("-----BEGIN").unwrap_or(0)]);
            out.push_str(HIDDEN);
            if line.contains("-----END") {
                in_pem = false;
            }
            continue;
        }
        if in_pem {
            if line.contains("-----END") {
                in_pem = false;
            }
            continue;
        }
        out.push_str(&mask_urls(line));
    }
    out
}

/// Where a `key: value` (YAML) or `key = value` (INI, TOML) line splits.
fn split(line: &str) -> Option<(usize, &'static str)> {
    let yaml = line.find(": ").map(|i| (i, ": ")).or_else(|| {
        line.trim_end()
            .ends_with(':')
            .then(|| (line.trim_end().len() - 1, ":"))
    });
    let ini = line
        .find(" = ")
        .map(|i| (i, " = "))
        .or_else(|| line.find('=').map(|i| (i, "=")));
    match (yaml, ini) {
        (Some(y), Some(i)) => Some(if y.0 < i.0 { y } else { i }),
        (y, i) => y.or(i),
    }
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// A YAML or INI file's text with every secret value hidden: values of
/// secret keys (with the lines that continue them: YAML list items and
/// nested values, INI continuation lines), URL passwords and PEM blocks.
/// The lines stay where they are, so a diff of two masked texts still shows
/// which line changed.
pub fn mask_text(text: &str) -> String {
    let mut out = Vec::new();
    // The indent of a secret key whose value continues on the next lines.
    let mut block: Option<usize> = None;
    let mut in_pem = false;
    for line in text.lines() {
        let depth = indent(line);
        let trimmed = line.trim_start();
        if let Some(d) = block {
            let continues =
                !trimmed.is_empty() && (depth > d || (depth == d && trimmed.starts_with("- ")));
            if continues {
                out.push(format!("{}{HIDDEN}", &line[..depth]));
                continue;
            }
            block = None;
        }
        if in_pem || trimmed.contains("-----BEGIN") {
            in_pem = !trimmed.contains("-----END");
            out.push(format!("{}{HIDDEN}", &line[..depth]));
            continue;
        }
        match split(line) {
            Some((i, sep)) if is_secret_key(&line[..i]) && !trimmed.starts_with('#') => {
                let value = line[i + sep.len()..].trim();
                if value.is_empty() || value == "|" || value == ">" || value.starts_with("|-") {
                    out.push(line.to_string());
                } else {
                    out.push(format!("{}{sep}{HIDDEN}", &line[..i]));
                }
                block = Some(depth);
            }
            _ => out.push(mask_urls(line)),
        }
    }
    let mut joined = out.join("\n");
    if text.ends_with('\n') {
        joined.push('\n');
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_by_key_by_content_and_in_lists_are_hidden() {
        let text = "\
keystone_admin_password: hunter2
network_interface: eth0
[database]
connection = mysql+pymysql://nova:PW1@db/nova
transport_url = rabbit://openstack:PW2@10.0.0.1:5672//
some_url = https://admin:PW3@example.org/x
repo_url = https://PW7@git.example.org/x
plain_url = https://example.org/x
backup_passwords:
- PW4
- PW5
next: shown
ssl_cert: |
  -----BEGIN PRIVATE KEY-----
  PW6
  -----END PRIVATE KEY-----
after: shown
";
        let masked = mask_text(text);
        for pw in ["hunter2", "PW1", "PW2", "PW3", "PW4", "PW5", "PW6", "PW7"] {
            assert!(!masked.contains(pw), "{pw} shown:\n{masked}");
        }
        for kept in [
            "network_interface: eth0",
            "plain_url = https://example.org/x",
            "next: shown",
            "after: shown",
            "some_url = https://admin:<sensitive>@example.org/x",
            "repo_url = https://<sensitive>@git.example.org/x",
        ] {
            assert!(masked.contains(kept), "{kept} hidden:\n{masked}");
        }
        assert_eq!(masked.lines().count(), text.lines().count());
    }

    #[test]
    fn scrub_hides_url_passwords_and_pem_blocks_in_free_text() {
        let s = scrub(
            "cannot reach mysql://nova:PW@db/nova\n-----BEGIN X-----\nabc\n-----END X-----\nok",
        );
        assert!(
            !s.contains("PW")
                && !s.contains("abc")
                && s.contains("ok")
                && s.contains("nova:<sensitive>@db"),
            "{s}"
        );
    }
}
