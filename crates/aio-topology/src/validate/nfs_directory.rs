//! The exported directory itself: its owner and group (a name or a
//! number) and its mode (an octal string), which aio gives it.

use toml::Spanned;

use super::Checker;
use crate::vocabulary::nfs::{ID_MAX, NAME_MAX};

/// A user or group name, or a number that is one.
pub(crate) fn owner(c: &mut Checker, value: &Spanned<String>, key: &str, number: &str) {
    let text = value.get_ref();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        if text.parse::<u64>().is_ok_and(|n| n <= u64::from(ID_MAX)) {
            return;
        }
        c.error(
            value.span(),
            format!("{key} {text} is not a {number}"),
            format!("a {number} is from 0 to {ID_MAX} (4294967295 means \"none\" to the kernel)"),
        );
        return;
    }
    let body = text.strip_suffix('$').unwrap_or(text);
    let name_ok = text.len() <= NAME_MAX
        && body
            .chars()
            .next()
            .is_some_and(|ch| ch.is_ascii_alphabetic() || ch == '_')
        && body
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "_.-".contains(ch));
    if !name_ok {
        c.error(
            value.span(),
            format!("{key} {text:?} is neither a name nor a {number}"),
            format!(
                "write a name of up to {NAME_MAX} letters, digits, `_`, `-` or `.` that starts with a letter or `_`, or a number from 0 to {ID_MAX}"
            ),
        );
    }
}

/// An octal string of 3 or 4 digits: `"0755"`.
pub(crate) fn mode(c: &mut Checker, value: &Spanned<toml::Value>) -> Option<u32> {
    let (message, help) = match value.get_ref() {
        toml::Value::String(s) => {
            let digits =
                (3..=4).contains(&s.len()) && s.bytes().all(|b| (b'0'..=b'7').contains(&b));
            match u32::from_str_radix(s, 8) {
                Ok(bits) if digits => return Some(bits),
                _ => (
                    format!("mode {s:?} is not an octal mode"),
                    "write 3 or 4 octal digits, e.g. \"0755\"",
                ),
            }
        }
        toml::Value::Integer(n) => (
            format!("mode is a number ({n} in decimal), not an octal string"),
            "write it quoted, e.g. mode = \"0755\": a quoted mode's digits are octal",
        ),
        other => (
            format!("mode must be an octal string, found {}", other.type_str()),
            "write 3 or 4 octal digits, e.g. mode = \"0755\"",
        ),
    };
    c.error(value.span(), message, help);
    None
}

#[cfg(test)]
#[path = "nfs_directory_tests.rs"]
mod tests;
