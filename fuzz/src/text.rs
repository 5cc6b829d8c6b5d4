//! The seed corpus is plain text, so that a seed can be written and read by
//! hand: an input is lines (`\n`, a trailing `\r` dropped), and a request is
//! a first line, `Name: value` header lines, an empty line and the body.

/// The first `n - 1` lines of `s` and the rest (which may hold more lines);
/// missing fields are empty.
pub fn fields(s: &str, n: usize) -> Vec<&str> {
    let mut out: Vec<&str> = s
        .splitn(n, '\n')
        .enumerate()
        .map(|(i, f)| {
            if i + 1 < n {
                f.strip_suffix('\r').unwrap_or(f)
            } else {
                f
            }
        })
        .collect();
    out.resize(n, "");
    out
}

/// An HTTP-like message: a first line, headers, a body.
pub struct Message<'a> {
    pub first_line: &'a [u8],
    /// Names and values as they appeared (a line without `:` is skipped).
    pub headers: Vec<(&'a [u8], &'a [u8])>,
    pub body: &'a [u8],
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn trim_start(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b {
        if *first == b' ' || *first == b'\t' {
            b = rest;
        } else {
            break;
        }
    }
    b
}

/// Splits `data` as a first line, header lines up to an empty line, and the body.
pub fn message(data: &[u8]) -> Message<'_> {
    let mut rest = data;
    let mut next_line = || -> Option<&[u8]> {
        if rest.is_empty() {
            return None;
        }
        let (line, tail) = match rest.iter().position(|b| *b == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = tail;
        Some(strip_cr(line))
    };
    let first_line = next_line().unwrap_or(b"");
    let mut headers = Vec::new();
    while let Some(line) = next_line() {
        if line.is_empty() {
            break;
        }
        if let Some(colon) = line.iter().position(|b| *b == b':') {
            headers.push((&line[..colon], trim_start(&line[colon + 1..])));
        }
    }
    Message {
        first_line,
        headers,
        body: rest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_pad_and_keep_the_rest() {
        assert_eq!(fields("a\r\nb\nc\nd", 3), ["a", "b", "c\nd"]);
        assert_eq!(fields("a", 3), ["a", "", ""]);
    }

    #[test]
    fn messages_split_into_line_headers_and_body() {
        let m = message(b"POST / any\r\nX-Amz-Target: A.B\nbad line\n\n{\"a\":\n1}");
        assert_eq!(m.first_line, b"POST / any");
        assert_eq!(m.headers, [(&b"X-Amz-Target"[..], &b"A.B"[..])]);
        assert_eq!(m.body, b"{\"a\":\n1}");
    }
}
