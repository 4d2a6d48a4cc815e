//! The little of shell that the old installer's scripts use: a line is
//! split into words, with single and double quotes, a `#` that starts a
//! word begins a comment, and `$NAME` or `${NAME}` (quoted or not) names a
//! variable. Anything else the shell would interpret (`;`, `|`, `&`,
//! redirections, `$(...)`, backslashes, globs) makes the line one aio does
//! not read, so it can never be taken for one of its commands.

/// One word of a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Word {
    Text(String),
    /// `$NAME`, `${NAME}`, `"$NAME"` or `"${NAME}"`.
    Var(String),
}

/// A word as the script wrote it, a variable as `$NAME`.
impl std::fmt::Display for Word {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Word::Text(t) => f.write_str(t),
            Word::Var(v) => write!(f, "${v}"),
        }
    }
}

/// The line uses shell syntax beyond words, quotes and variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Syntax;

/// Characters the shell interprets outside quotes.
const SPECIAL: &[char] = &[
    ';', '&', '|', '<', '>', '(', ')', '`', '\\', '*', '?', '[', ']', '{', '}', '~', '"', '\'', '$',
];

/// The words of `line` up to a comment (none for a blank or comment line).
pub(crate) fn words(line: &str) -> Result<Vec<Word>, Syntax> {
    let mut out = Vec::new();
    for raw in split(line)? {
        if raw.starts_with('#') {
            break;
        }
        out.push(word(&raw)?);
    }
    Ok(out)
}

/// `line` cut at unquoted whitespace, quotes kept in the pieces.
fn split(line: &str) -> Result<Vec<String>, Syntax> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                current.push(c);
            }
            Some(_) => current.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                current.push(c);
            }
            None if c.is_whitespace() => {
                if !current.is_empty() {
                    pieces.push(std::mem::take(&mut current));
                }
            }
            None => current.push(c),
        }
    }
    if quote.is_some() {
        return Err(Syntax);
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    Ok(pieces)
}

/// One piece as a word: plain text, text wholly in single or double
/// quotes, or a variable.
fn word(raw: &str) -> Result<Word, Syntax> {
    if let Some(name) = variable(raw).or_else(|| {
        raw.strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .and_then(variable)
    }) {
        return Ok(Word::Var(name));
    }
    if let Some(inner) = raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\''))
        && !inner.contains('\'')
    {
        return Ok(Word::Text(inner.to_string()));
    }
    if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"'))
        && !inner.contains(['"', '$', '`', '\\', '!'])
    {
        return Ok(Word::Text(inner.to_string()));
    }
    if raw.contains(SPECIAL) {
        return Err(Syntax);
    }
    Ok(Word::Text(raw.to_string()))
}

/// `NAME` of `$NAME` or `${NAME}`.
fn variable(raw: &str) -> Option<String> {
    let rest = raw.strip_prefix('$')?;
    let name = rest
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .unwrap_or(rest);
    is_name(name).then(|| name.to_string())
}

/// A shell variable's name.
pub(crate) fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A plain word of text.
pub(super) fn text(s: &str) -> Word {
    Word::Text(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(w: &str) -> Word {
        Word::Text(w.to_string())
    }

    #[test]
    fn words_quotes_variables_and_comments() {
        assert_eq!(
            words("iptables -o $NIC -s '10.0.2.0/24' # masquerade").unwrap(),
            [
                text("iptables"),
                text("-o"),
                Word::Var("NIC".into()),
                text("-s"),
                text("10.0.2.0/24")
            ]
        );
        assert_eq!(words("-o \"${NIC}\"").unwrap()[1], Word::Var("NIC".into()));
        assert!(words("   # only a comment").unwrap().is_empty());
        assert!(words("").unwrap().is_empty());
    }

    #[test]
    fn anything_else_the_shell_reads_is_refused() {
        for line in [
            "ip link add a type bridge; rm -rf /",
            "ip link add a type bridge && true",
            "ip link add $(echo a) type bridge",
            "ip link add `echo a` type bridge",
            "ip link add a type bridge > /dev/null",
            "ip link add a\\ b type bridge",
            "ip link add \"$A$B\" type bridge",
            "ip link add 'a type bridge",
            "ip link add a* type bridge",
            "ip link add ${A:-x} type bridge",
            "ip link add a type bridge &",
        ] {
            assert_eq!(words(line), Err(Syntax), "{line}");
        }
    }
}
