//! Small pieces shared by the line-oriented legacy decoders: a line cursor
//! that behaves like a line scanner (one current line, advanced on demand),
//! hex address extraction and Go-style integer parsing.

/// Walks the lines of a text one at a time. Lines end at `\n`; a `\r`
/// right before it is dropped, and a trailing empty piece is not a line.
/// Lines are found as the walk reaches them, so the cost does not grow with
/// the number of lines (a few megabytes of gzip can hold millions).
pub(super) struct Lines<'a> {
    /// The text after the current line.
    rest: &'a str,
    current: Option<&'a str>,
    /// Lines handed out so far.
    count: usize,
}

impl<'a> Lines<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Lines { rest: text, current: None, count: 0 }
    }

    /// Moves to the next line; false (and an empty current line) at the end.
    pub(super) fn advance(&mut self) -> bool {
        if self.rest.is_empty() {
            self.current = None;
            return false;
        }
        let (line, rest) = self.rest.split_once('\n').unwrap_or((self.rest, ""));
        self.rest = rest;
        self.current = Some(line.strip_suffix('\r').unwrap_or(line));
        self.count += 1;
        true
    }

    /// The current line, or "" before the first and after the last.
    pub(super) fn text(&self) -> &'a str {
        self.current.unwrap_or("")
    }

    /// True once `advance` has run past the last line.
    pub(super) fn exhausted(&self) -> bool {
        self.current.is_none() && self.rest.is_empty()
    }

    /// 1-based number of the current line (one past the end once exhausted).
    pub(super) fn number(&self) -> usize {
        if self.current.is_some() {
            self.count
        } else {
            self.count + 1
        }
    }
}

/// Blank lines and `#` comments carry no data.
pub(super) fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// Lines that open the memory-map section of a legacy text profile.
pub(super) fn is_memory_map_start(line: &str) -> bool {
    line.contains("--- Memory map: ---") || line.contains("MAPPED_LIBRARIES:")
}

/// False for a header line holding control bytes (other than tab and
/// carriage return), which binary data such as protobuf would.
pub(super) fn looks_like_text(line: &[u8]) -> bool {
    line.iter().all(|&b| b >= 0x20 || b == b'\t' || b == b'\r')
}

/// Every `0x` followed by lower-case hex digits in `s`, in order. A number
/// too large for 64 bits is an error.
pub(super) fn hex_addresses(s: &str) -> Result<Vec<u64>, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'0' && bytes.get(i + 1) == Some(&b'x') {
            let digits_start = i + 2;
            let mut end = digits_start;
            while end < bytes.len() && matches!(bytes[end], b'0'..=b'9' | b'a'..=b'f') {
                end += 1;
            }
            if end > digits_start {
                let digits = &s[digits_start..end];
                let value = u64::from_str_radix(digits, 16)
                    .map_err(|_| format!("address 0x{digits} does not fit in 64 bits"))?;
                out.push(value);
                i = end;
                continue;
            }
        }
        i += 1;
    }
    Ok(out)
}

/// Parses an integer the way Go's `ParseInt(s, 0, 64)` does: optional sign,
/// then decimal, `0x` hex, `0o`/leading-zero octal or `0b` binary.
pub(super) fn parse_go_int(s: &str) -> Option<i64> {
    let (negative, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.get(..2).map(|p| p.to_ascii_lowercase());
    let (radix, digits) = match lower.as_deref() {
        Some("0x") => (16, &body[2..]),
        Some("0o") => (8, &body[2..]),
        Some("0b") => (2, &body[2..]),
        _ if body.len() > 1 && body.starts_with('0') => (8, &body[1..]),
        _ => (10, body),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Compiles a pattern written with RE2's ASCII meanings of `\d`, `\w` and
/// `\s` (the regex crate would otherwise read them as Unicode classes).
pub(super) fn ascii_regex(pattern: &str) -> regex::Regex {
    let pattern = pattern
        .replace(r"\d", "[0-9]")
        .replace(r"\w", "[0-9A-Za-z_]")
        .replace(r"\S", r"[^\t\n\f\r ]")
        .replace(r"\s", r"[\t\n\f\r ]");
    regex::Regex::new(&pattern).expect("a valid built-in pattern")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_follow_scanner_rules() {
        let mut l = Lines::new("a\r\n\nb");
        let mut seen = Vec::new();
        while l.advance() {
            seen.push((l.number(), l.text()));
        }
        assert_eq!(seen, vec![(1, "a"), (2, ""), (3, "b")]);
        assert_eq!(l.text(), "");
        assert!(l.exhausted());
        assert_eq!(l.number(), 4);
        let count = |text| {
            let mut l = Lines::new(text);
            let mut n = 0;
            while l.advance() {
                n += 1;
            }
            n
        };
        assert_eq!([count("x\n"), count(""), count("\n"), count("a\n\n"), count("a\r\nb\r")], [1, 0, 1, 2, 2]);
        let mut l = Lines::new("only");
        assert!(!l.exhausted());
        assert!(l.advance() && !l.exhausted());
        assert!(!l.advance() && l.exhausted());
    }

    #[test]
    fn hex_addresses_are_lower_case_only() {
        assert_eq!(hex_addresses(" 0x1f 0xAB 0x 10x2 f(0x3)"), Ok(vec![0x1f, 0x2, 0x3]));
        assert!(hex_addresses("0x11112222333344445").is_err());
    }

    #[test]
    fn go_integers() {
        assert_eq!(parse_go_int("3201000000"), Some(3201000000));
        assert_eq!(parse_go_int("0x10"), Some(16));
        assert_eq!(parse_go_int("010"), Some(8));
        assert_eq!(parse_go_int("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_go_int("9223372036854775808"), None);
        assert_eq!(parse_go_int(""), None);
        assert_eq!(parse_go_int("-"), None);
        assert_eq!(parse_go_int("1.5"), None);
    }

    #[test]
    fn ascii_classes() {
        let re = ascii_regex(r"^[\w ]+=[\s-]?\d+\S$");
        assert!(re.is_match("a b=-12x"));
        assert!(!re.is_match("a b=\u{a0}12x"));
        assert!(!re.is_match("a b=-\u{663}x"));
    }
}
