//! The editor clients offer exactly the filters the server has. The server
//! lists them in its `initialize` result (`FilterKind::ALL`); VS Code's
//! `pprof.filters` setting schema must name the same keys in the same order,
//! and neither client's sources may keep a list of filter names of their own
//! (it would drop a filter the server adds, as `showFrom` once was dropped).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pprof_lsp::analysis::filter::FilterKind;

fn server_keys() -> Vec<&'static str> {
    FilterKind::ALL.iter().map(|k| k.key()).collect()
}

/// The client sources: TypeScript of the extension, Lua of the plugin.
fn client_sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "ts" || e == "lua") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    for dir in ["editors/vscode/src", "editors/nvim/lua", "editors/nvim/lsp", "editors/nvim/plugin"] {
        walk(&common::root().join(dir), &mut out);
    }
    out.sort();
    out
}

/// Where `text` names filters as a list: two filter keys with nothing but
/// punctuation, space or `and`/`or` between them (`'focus', 'ignore'`,
/// `focus, ignore and hide`), or two or more keys written as string literals
/// or as fields (`'focus'`, `focus?: string`, `focus = ...`) anywhere in it.
/// Each finding names the keys.
fn filter_lists(text: &str, keys: &[&str]) -> Vec<String> {
    let words: Vec<(usize, &str)> = word_spans(text);
    let mut found = Vec::new();
    // Two keys in a row.
    let mut last_key: Option<&str> = None;
    for &(_, word) in &words {
        if keys.contains(&word) {
            if let Some(before) = last_key.filter(|b| *b != word) {
                found.push(format!("{before}, {word}"));
            }
            last_key = Some(word);
        } else if word != "and" && word != "or" {
            last_key = None;
        }
    }
    // Keys as literals or fields, anywhere.
    let mut declared = BTreeSet::new();
    for &(at, word) in &words {
        if !keys.contains(&word) {
            continue;
        }
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].trim_start_matches([' ', '\t']);
        let quoted = matches!(before, Some('\'' | '"' | '`')) && after.starts_with(before.unwrap());
        let field = after.starts_with("?:") || (after.starts_with(':') && !after.starts_with("::")) || (after.starts_with('=') && !after.starts_with("=="));
        if quoted || field {
            declared.insert(word);
        }
    }
    if declared.len() >= 2 {
        found.push(declared.into_iter().collect::<Vec<_>>().join(", "));
    }
    found
}

/// The identifier-like words of `text` with their byte offsets.
fn word_spans(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        let in_word = c.is_ascii_alphanumeric() || c == '_';
        match (start, in_word) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    out
}

#[test]
fn the_vscode_filters_setting_names_the_servers_filters_in_order() {
    let text = std::fs::read_to_string(common::root().join("editors/vscode/package.json")).unwrap();
    let package: serde_json::Value = serde_json::from_str(&text).unwrap();
    let setting = &package["contributes"]["configuration"]["properties"]["pprof.filters"];
    let properties = setting["properties"].as_object().expect("pprof.filters has properties");
    // serde_json keeps the file's order (preserve_order) only with a
    // feature; read the keys' order from the text instead.
    let mut keys: Vec<&str> = properties.keys().map(String::as_str).collect();
    let block = &text[text.find("\"pprof.filters\"").unwrap()..];
    keys.sort_by_key(|k| block.find(&format!("\"{k}\": {{")).unwrap_or(usize::MAX));
    assert_eq!(keys, server_keys(), "pprof.filters's properties against FilterKind::ALL");
    assert_eq!(setting["additionalProperties"], false, "a key the server does not know is flagged in the editor");
    let overall = setting["markdownDescription"].as_str().expect("pprof.filters has a markdownDescription");
    for kind in FilterKind::ALL {
        let flag = format!("-{}`", kind.name());
        assert!(overall.contains(&flag), "pprof.filters's description does not mention {flag}: {overall}");
        let own = properties[kind.key()]["markdownDescription"].as_str().unwrap_or_default();
        assert!(own.contains(&flag), "pprof.filters.{} does not name {flag}: {own:?}", kind.key());
        assert_eq!(properties[kind.key()]["type"], "string", "pprof.filters.{}", kind.key());
    }
}

#[test]
fn no_client_source_keeps_its_own_list_of_filter_names() {
    let keys = server_keys();
    let sources = client_sources();
    assert!(sources.len() >= 10, "client sources found: {sources:?}");
    let mut offences = Vec::new();
    for path in &sources {
        let text = std::fs::read_to_string(path).unwrap();
        for list in filter_lists(&text, &keys) {
            offences.push(format!("{}: {list}", path.strip_prefix(common::root()).unwrap().display()));
        }
    }
    assert!(
        offences.is_empty(),
        "filter names listed in client code; take them from the server's initialize result instead:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_list_check_sees_lists_in_code_strings_and_fields() {
    let keys = server_keys();
    let found = |text: &str| filter_lists(text, &keys);
    // Lists as they were written in the clients before.
    assert_eq!(found("M.names = { 'focus', 'ignore', 'hide' }"), ["focus, ignore", "ignore, hide", "focus, hide, ignore"]);
    assert_eq!(found("export const NAMES = ['tagfocus', 'tagignore'] as const;"), ["tagfocus, tagignore", "tagfocus, tagignore"]);
    assert_eq!(found("desc = 'pprof-lsp: web, focus, ignore and hide, filters',"), ["focus, ignore", "ignore, hide"]);
    assert_eq!(found("interface Filters {\n    focus?: string;\n    showFrom?: string;\n}"), ["focus, showFrom"]);
    assert_eq!(found("local t = {\n  show = 'a',\n  hide = 'b',\n}"), ["hide, show"]);
    // One name, method calls and words of other meanings are not lists.
    assert!(found("stale: 'mark' | 'hide';").is_empty());
    assert!(found("box.hide(); pick.show(); box.ignoreFocusOut = true; takeFocus: true").is_empty());
    assert!(found("-- keeps the focus, and shows the output").is_empty());
    assert!(found("if a == show then return end; b::focus").is_empty());
}
