//! A git revision as a user types it, checked before it goes anywhere near
//! a `git` command line.
//!
//! What is accepted: a full or short SHA, a tag or branch name (`v1.2.0`,
//! `release/2026-11`, `origin/main`), `HEAD` or `@`, each optionally
//! followed by `~N`, `^N`, `~` or `^` steps (`v1.2.0~2^2`). Which of these
//! names a commit is git's question; this module only makes sure the
//! string is one of these shapes.
//!
//! What is refused, and why:
//! - a leading `-`: git would read it as an option (`--upload-pack=...`);
//! - white space, control characters and shell syntax
//!   (`` ; | & $ ` ' " < > ( ) * ? [ ] \ ! ``): no shell is involved, but a
//!   revision with them is either invalid in git or a sign of injection;
//! - `{` and `}`: the `@{...}` reflog and upstream forms depend on local
//!   state that a profile taken elsewhere knows nothing of;
//! - `:` (`rev:path` names a file, not a commit) and `..` (a range);
//! - names that git's ref-name rules refuse (`/` at either end, `//`, a
//!   component starting with `.`, a trailing `.` or `.lock`), so the
//!   refusal says why instead of git saying "unknown revision";
//! - more than [`MAX_REVISION_BYTES`] bytes.

use std::fmt;

/// The longest revision accepted, in bytes. Real tag and branch names are
/// far shorter; the bound keeps error messages and command lines small.
pub const MAX_REVISION_BYTES: usize = 256;

/// Characters that are shell syntax or git pattern syntax, refused anywhere
/// in a revision.
const FORBIDDEN: &[char] = &[';', '|', '&', '$', '`', '\'', '"', '<', '>', '(', ')', '*', '?', '[', ']', '\\', '!'];

/// A revision string that [`Revision::parse`] accepted: safe to hand to git
/// after `--end-of-options`, and never readable as an option anyway.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Revision(String);

impl Revision {
    /// Checks `text` (see the module documentation for what passes).
    pub fn parse(text: &str) -> Result<Revision, RevisionError> {
        match problem(text) {
            None => Ok(Revision(text.to_string())),
            Some(problem) => Err(RevisionError { text: text.to_string(), problem }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a string is not accepted as a revision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevisionProblem {
    Empty,
    /// Longer than [`MAX_REVISION_BYTES`]; the length in bytes.
    TooLong(usize),
    LeadingDash,
    WhiteSpace,
    Control,
    Colon,
    Range,
    /// `{` or `}`, as in `@{1}` or `main@{upstream}`.
    Brace,
    /// One of the shell or pattern characters.
    Forbidden(char),
    /// Starts with `~` or `^` instead of a name or SHA.
    NoBase,
    /// Something other than digits, `~` or `^` after a `~` or `^`.
    BadSuffix,
    /// The name part breaks git's ref-name rules.
    BadName,
}

impl fmt::Display for RevisionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RevisionProblem::Empty => write!(f, "it is empty"),
            RevisionProblem::TooLong(n) => write!(f, "it is {n} bytes long, and a revision has at most {MAX_REVISION_BYTES}"),
            RevisionProblem::LeadingDash => write!(f, "it starts with `-`, so git would read it as an option"),
            RevisionProblem::WhiteSpace => write!(f, "it contains white space"),
            RevisionProblem::Control => write!(f, "it contains a control character"),
            RevisionProblem::Colon => write!(f, "it contains `:`, which names a file at a revision (`rev:path`), not a commit"),
            RevisionProblem::Range => write!(f, "it contains `..`, which names a range of commits, not one commit"),
            RevisionProblem::Brace => {
                write!(f, "it contains a brace; reflog and upstream forms such as `@{{1}}` or `@{{u}}` are not supported")
            }
            RevisionProblem::Forbidden(c) => write!(f, "it contains `{c}`, which no tag, branch or SHA given here may contain"),
            RevisionProblem::NoBase => write!(f, "it starts with `~` or `^`; name a commit first, as in `HEAD~1`"),
            RevisionProblem::BadSuffix => write!(f, "only a number may follow `~` or `^`, as in `v1.2.0~3` or `main^2`"),
            RevisionProblem::BadName => write!(
                f,
                "it is not a valid tag or branch name (`/` at the start or end, `//`, a part starting with `.`, or ending in `.` or `.lock`)"
            ),
        }
    }
}

/// A string refused by [`Revision::parse`], with the reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} is not accepted as a git revision: {problem}", shown(text))]
pub struct RevisionError {
    pub text: String,
    pub problem: RevisionProblem,
}

/// The refused string as a message shows it: quoted with escapes, so
/// control characters and white space are visible, and cut short when long.
fn shown(text: &str) -> String {
    const MOST: usize = 64;
    let mut cut: String = text.chars().take(MOST).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    format!("{cut:?}")
}

fn problem(text: &str) -> Option<RevisionProblem> {
    if text.is_empty() {
        return Some(RevisionProblem::Empty);
    }
    if text.len() > MAX_REVISION_BYTES {
        return Some(RevisionProblem::TooLong(text.len()));
    }
    if text.starts_with('-') {
        return Some(RevisionProblem::LeadingDash);
    }
    for c in text.chars() {
        let problem = match c {
            c if c.is_whitespace() => RevisionProblem::WhiteSpace,
            c if c.is_control() => RevisionProblem::Control,
            ':' => RevisionProblem::Colon,
            '{' | '}' => RevisionProblem::Brace,
            c if FORBIDDEN.contains(&c) => RevisionProblem::Forbidden(c),
            _ => continue,
        };
        return Some(problem);
    }
    if text.contains("..") {
        return Some(RevisionProblem::Range);
    }
    let split = text.find(['~', '^']).unwrap_or(text.len());
    let (name, steps) = text.split_at(split);
    if name.is_empty() {
        return Some(RevisionProblem::NoBase);
    }
    if !steps_are_valid(steps) {
        return Some(RevisionProblem::BadSuffix);
    }
    if !name_is_valid(name) {
        return Some(RevisionProblem::BadName);
    }
    None
}

/// `steps` is a run of `~N` and `^N` steps, each number optional.
fn steps_are_valid(steps: &str) -> bool {
    steps.split(['~', '^']).skip(1).all(|number| number.bytes().all(|b| b.is_ascii_digit()))
}

/// The rules of `git check-ref-format` that the character checks above do
/// not already cover. `@` alone is git's short name for `HEAD`.
fn name_is_valid(name: &str) -> bool {
    if name == "@" {
        return true;
    }
    !name.ends_with('.')
        && name.split('/').all(|part| !part.is_empty() && !part.starts_with('.') && !part.ends_with(".lock"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use RevisionProblem::*;

    const SHA1: &str = "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c";
    const SHA256: &str = "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";

    #[test]
    fn accepted() {
        let cases = [
            SHA1,
            SHA256,
            "4f1c",
            "4f1c2d3",
            "v1.2.0",
            "v1.2.0-rc.1",
            "release/2026-11",
            "origin/main",
            "refs/tags/v1.2.0",
            "HEAD",
            "@",
            "HEAD~",
            "HEAD~3",
            "HEAD^",
            "HEAD^^",
            "main^2",
            "@~2",
            "v1.2.0~1^2~10",
            "feature/café",
            "user@host-branch",
            "a+b=c,d%e#f",
        ];
        for text in cases {
            let rev = Revision::parse(text).unwrap_or_else(|e| panic!("{text:?} refused: {e}"));
            assert_eq!(rev.as_str(), text);
            assert_eq!(rev.to_string(), text);
        }
    }

    #[test]
    fn refused() {
        let long = "a".repeat(MAX_REVISION_BYTES + 1);
        let cases: &[(&str, RevisionProblem)] = &[
            ("", Empty),
            (&long, TooLong(MAX_REVISION_BYTES + 1)),
            ("--upload-pack=touch /tmp/x", LeadingDash),
            ("-n", LeadingDash),
            ("--end-of-options", LeadingDash),
            ("v1.2.0 ", WhiteSpace),
            ("main\tx", WhiteSpace),
            ("main\n--help", WhiteSpace),
            ("main\u{a0}x", WhiteSpace),
            ("main\u{7}", Control),
            ("main\0", Control),
            ("HEAD:go.mod", Colon),
            ("v1.0..v2.0", Range),
            ("v1.0...v2.0", Range),
            ("main@{1}", Brace),
            ("@{upstream}", Brace),
            ("HEAD^{commit}", Brace),
            ("main;rm", Forbidden(';')),
            ("a|b", Forbidden('|')),
            ("a&b", Forbidden('&')),
            ("$HOME", Forbidden('$')),
            ("`id`", Forbidden('`')),
            ("it's", Forbidden('\'')),
            ("\"q\"", Forbidden('"')),
            ("a<b", Forbidden('<')),
            ("a>b", Forbidden('>')),
            ("f(x)", Forbidden('(')),
            ("v1.*", Forbidden('*')),
            ("v1.?", Forbidden('?')),
            ("v[12]", Forbidden('[')),
            ("a\\b", Forbidden('\\')),
            ("HEAD^!", Forbidden('!')),
            ("~1", NoBase),
            ("^main", NoBase),
            ("main~x", BadSuffix),
            ("main^@", BadSuffix),
            ("HEAD~1a", BadSuffix),
            ("HEAD^-1", BadSuffix),
            ("/main", BadName),
            ("main/", BadName),
            ("release//1", BadName),
            (".hidden", BadName),
            ("release/.x", BadName),
            ("v1.", BadName),
            ("main.lock", BadName),
            ("main.lock/x", BadName),
        ];
        for (text, want) in cases {
            match Revision::parse(text) {
                Ok(rev) => panic!("{text:?} accepted as {rev:?}, wanted {want:?}"),
                Err(e) => {
                    assert_eq!(e.problem, *want, "{text:?}: {e}");
                    assert_eq!(e.text, *text);
                }
            }
        }
    }

    #[test]
    fn messages_name_the_string_and_the_reason() {
        let e = Revision::parse("--upload-pack=touch /tmp/x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "\"--upload-pack=touch /tmp/x\" is not accepted as a git revision: it starts with `-`, so git would read it as an option"
        );
        let e = Revision::parse("main\n").unwrap_err();
        assert_eq!(e.to_string(), "\"main\\n\" is not accepted as a git revision: it contains white space");
        let e = Revision::parse(&"x".repeat(300)).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("\"{}…\" is not accepted as a git revision: it is 300 bytes long, and a revision has at most 256", "x".repeat(64))
        );
    }
}
