//! Go module paths as the module cache spells them: upper-case letters
//! escaped as `!` plus the lower-case letter, and `module@version`
//! directories. Used to turn a dependency's recorded path into its place
//! in GOMODCACHE or in a `vendor/` directory.

use super::norm::NormPath;

/// `!x` → `X`: the module cache's escaping undone.
pub(super) fn unescape_module(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut bang = false;
    for ch in s.chars() {
        if bang {
            out.extend(ch.to_uppercase());
            bang = false;
        } else if ch == '!' {
            bang = true;
        } else {
            out.push(ch);
        }
    }
    out
}

/// `X` → `!x`, as the module cache spells directory names. Accepts both
/// spellings as input.
pub(super) fn escape_module(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for ch in unescape_module(s).chars() {
        if ch.is_ascii_uppercase() {
            out.push('!');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// Index of the first component that looks like `name@version`.
pub(super) fn version_component(comps: &[&str]) -> Option<usize> {
    comps.iter().position(|c| c.find('@').is_some_and(|i| i > 0 && i + 1 < c.len()))
}

/// One reading of a module-cache style path.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct ModuleSplit<'a> {
    /// The module path's components, e.g. `github.com`, `pkg`, `errors`.
    pub module: Vec<&'a str>,
    pub version: &'a str,
    /// The file's path inside the module.
    pub rest: Vec<&'a str>,
}

/// The ways to read `p` as `<module>@<version>/<file>`, most plausible
/// first. After a `pkg/mod/` directory the module starts right there; a
/// relative path starts with it; otherwise any start is possible.
pub(super) fn module_splits<'a>(p: &NormPath, comps: &[&'a str]) -> Vec<ModuleSplit<'a>> {
    let Some(at) = version_component(comps) else { return Vec::new() };
    if at + 1 >= comps.len() {
        return Vec::new();
    }
    let Some((name, version)) = comps[at].split_once('@') else { return Vec::new() };
    let pkg_mod = (0..at.saturating_sub(1)).rev().find(|&k| comps[k] == "pkg" && comps[k + 1] == "mod");
    let starts: Vec<usize> = match pkg_mod {
        Some(k) => vec![k + 2],
        None if !p.is_absolute() => vec![0],
        None => (0..=at).collect(),
    };
    starts
        .into_iter()
        .map(|s| {
            let mut module: Vec<&str> = comps[s..at].to_vec();
            module.push(name);
            ModuleSplit { module, version, rest: comps[at + 1..].to_vec() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_cache_escaping() {
        assert_eq!(escape_module("github.com/BurntSushi/toml"), "github.com/!burnt!sushi/toml");
        assert_eq!(escape_module("github.com/!burnt!sushi/toml"), "github.com/!burnt!sushi/toml");
        assert_eq!(unescape_module("github.com/!burnt!sushi/toml"), "github.com/BurntSushi/toml");
        assert_eq!(escape_module("v1.2.3-RC1"), "v1.2.3-!r!c1");
    }

    #[test]
    fn versioned_components() {
        assert_eq!(version_component(&["a", "b@v1", "c.go"]), Some(1));
        assert_eq!(version_component(&["@v1", "b@", "c.go"]), None);
    }

    fn splits(path: &str) -> Vec<String> {
        let p = NormPath::new(path);
        let comps = p.components();
        module_splits(&p, &comps)
            .iter()
            .map(|s| format!("{} {} {}", s.module.join("/"), s.version, s.rest.join("/")))
            .collect()
    }

    #[test]
    fn readings_of_module_paths() {
        assert_eq!(
            splits("/home/u/go/pkg/mod/github.com/pkg/errors@v0.9.1/errors.go"),
            ["github.com/pkg/errors v0.9.1 errors.go"]
        );
        assert_eq!(splits("github.com/pkg/errors@v0.9.1/x/y.go"), ["github.com/pkg/errors v0.9.1 x/y.go"]);
        assert_eq!(splits("/cache/a/b@v1/c.go"), ["cache/a/b v1 c.go", "a/b v1 c.go", "b v1 c.go"]);
        assert!(splits("/x/b@v1").is_empty());
        assert!(splits("/x/y.go").is_empty());
    }
}
