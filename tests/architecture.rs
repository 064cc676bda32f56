//! The pure core (`src/profile`, `src/analysis`, `src/paths`, `src/report`)
//! takes data and returns data: no editor protocol, no async runtime, no
//! filesystem, network, processes or environment.

mod common;

use std::path::Path;

/// Text that must not appear in the core's code, outside comments.
const FORBIDDEN: &[&str] = &[
    "tower_lsp",
    "ls_types",
    "lsp_types",
    "tokio",
    "async ",
    ".await",
    "std::fs",
    "std::net",
    "std::process",
    "std::env",
    "notify::",
    "ureq",
    "dashmap",
    "crate::lsp",
    "crate::source",
    "crate::cli",
];

/// Modules the core must not import, however the `use` is written.
const FORBIDDEN_MODULES: &[&str] = &[
    "std::fs",
    "std::net",
    "std::process",
    "std::env",
    "tokio",
    "tower_lsp",
    "tower_lsp_server",
    "ls_types",
    "lsp_types",
    "notify",
    "ureq",
    "dashmap",
    "crate::lsp",
    "crate::source",
    "crate::cli",
];

const CORE: &[&str] = &["src/profile", "src/analysis", "src/paths", "src/report", "src/gotest"];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file with `//` comments removed, line by line.
fn code_lines(text: &str) -> Vec<&str> {
    text.lines().map(|line| line.split("//").next().unwrap_or("")).collect()
}

/// Every `use` declaration in `code`, as written between `use` and `;`
/// (joined across lines).
fn use_trees(code: &[&str]) -> Vec<String> {
    let joined = code.join("\n");
    let mut trees = Vec::new();
    let mut rest = joined.as_str();
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().next_back();
        let starts_item = before.is_none_or(|c| c.is_whitespace() || c == ';' || c == '{' || c == '}' || c == ')');
        let after = &rest[at + 4..];
        if !starts_item {
            rest = after;
            continue;
        }
        let end = after.find(';').unwrap_or(after.len());
        trees.push(after[..end].split_whitespace().collect::<Vec<_>>().join(" "));
        rest = &after[end..];
    }
    trees
}

/// The full paths a use tree names: `std::{fs, io::Read}` names
/// `std::fs` and `std::io::Read`; `self` names its parent; `as` is dropped.
fn expand_use(tree: &str) -> Vec<String> {
    fn go(prefix: &str, tree: &str, out: &mut Vec<String>) {
        let tree = tree.trim().trim_start_matches("::");
        match tree.find('{') {
            Some(open) => {
                let close = tree.rfind('}').unwrap_or(tree.len());
                let head = format!("{prefix}{}", &tree[..open]);
                let inner = &tree[open + 1..close.max(open + 1)];
                let mut depth = 0;
                let mut start = 0;
                for (i, c) in inner.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            go(&head, &inner[start..i], out);
                            start = i + 1;
                        }
                        _ => {}
                    }
                }
                go(&head, &inner[start..], out);
            }
            None => {
                let name = tree.split(" as ").next().unwrap_or("").trim();
                if name.is_empty() {
                    return;
                }
                let path = format!("{prefix}{name}").replace(' ', "");
                out.push(path.strip_suffix("::self").unwrap_or(&path).to_string());
            }
        }
    }
    let mut out = Vec::new();
    go("", tree, &mut out);
    out
}

/// Whether an imported path reaches a forbidden module. A glob such as
/// `std::*` counts as importing everything below it.
fn forbidden_import(path: &str) -> Option<&'static str> {
    let path = path.trim_start_matches("::");
    FORBIDDEN_MODULES.iter().copied().find(|m| {
        path == *m
            || path.starts_with(&format!("{m}::"))
            || path.strip_suffix("::*").is_some_and(|parent| m.starts_with(&format!("{parent}::")))
    })
}

/// What in `text` reaches outside the core, as `line: code` strings.
fn offences(text: &str) -> Vec<String> {
    let code = code_lines(text);
    let mut out = Vec::new();
    for (no, line) in code.iter().enumerate() {
        for word in FORBIDDEN {
            if line.contains(word) {
                out.push(format!("{}: {}", no + 1, line.trim()));
            }
        }
    }
    for tree in use_trees(&code) {
        for path in expand_use(&tree) {
            if let Some(module) = forbidden_import(&path) {
                out.push(format!("use {tree} (imports {module})"));
            }
        }
    }
    out.dedup();
    out
}

#[test]
fn core_modules_touch_no_io_async_or_editor_code() {
    let mut files = Vec::new();
    for dir in CORE {
        let before = files.len();
        rust_files(&common::root().join(dir), &mut files);
        assert!(files.len() > before, "{dir} has no Rust files; is the list of core modules current?");
    }
    assert!(files.len() >= 12, "expected the core's files, found {}", files.len());
    let mut all = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        all.extend(offences(&text).into_iter().map(|o| format!("{}:{o}", file.display())));
    }
    assert!(all.is_empty(), "the core reaches outside itself:\n{}", all.join("\n"));
}

/// Only `src/lsp` knows the protocol: nothing else mentions or imports
/// tower-lsp or its types (the CLI, the sources and the core included).
#[test]
fn lsp_types_appear_only_under_src_lsp() {
    const PROTOCOL: &[&str] = &["tower_lsp", "ls_types", "lsp_types", "jsonrpc"];
    let mut files = Vec::new();
    rust_files(&common::root().join("src"), &mut files);
    let lsp = common::root().join("src/lsp");
    let outside: Vec<_> = files.iter().filter(|f| !f.starts_with(&lsp)).collect();
    assert!(outside.len() > files.len() / 2, "{} of {} files outside src/lsp", outside.len(), files.len());
    let mut found = Vec::new();
    for file in outside {
        let text = std::fs::read_to_string(file).unwrap();
        let code = code_lines(&text);
        for (no, line) in code.iter().enumerate() {
            if PROTOCOL.iter().any(|w| line.contains(w)) {
                found.push(format!("{}:{}: {}", file.display(), no + 1, line.trim()));
            }
        }
        for tree in use_trees(&code) {
            if expand_use(&tree).iter().any(|p| PROTOCOL.iter().any(|w| p.contains(w))) {
                found.push(format!("{}: use {tree}", file.display()));
            }
        }
    }
    assert!(found.is_empty(), "protocol types outside src/lsp:\n{}", found.join("\n"));
    // The check sees what it must: src/lsp itself is full of them.
    let server = std::fs::read_to_string(lsp.join("server.rs")).unwrap();
    assert!(PROTOCOL.iter().any(|w| server.contains(w)));
}

/// The checker itself: each way of writing an import is seen through.
#[test]
fn the_import_check_sees_grouped_and_nested_imports() {
    let caught = [
        "use std::fs;",
        "use std::{fs, io};",
        "use std::{io::Read, fs::File};",
        "use std::{\n    io,\n    fs::{self, File},\n};",
        "pub(crate) use std::{collections::HashMap, process::Command as Cmd};",
        "use ::std::{env};",
        "use std::*;",
        "use tokio::{sync::Mutex};",
        "use crate::{lsp::state::Session, profile::Profile};",
        "use crate::{source::workspace::RealFs};",
        "    use dashmap::DashMap;",
        "fn f() { use std::{net::TcpStream}; }",
    ];
    for code in caught {
        assert!(!offences(code).is_empty(), "not caught: {code}");
    }
    let allowed = [
        "use std::io::{self, Read};",
        "use std::{collections::HashSet, hash::BuildHasher};",
        "use std::path::Path;",
        "use crate::{profile::Profile, paths::NormPath};",
        "use super::inputs::{FileExists, Workspace};",
        "// use std::fs;",
        "let reused = 1; // unused: std::{fs}",
        "use rustc_hash::FxHashMap;",
        "use std::fmt; fn refuse() {}",
    ];
    for code in allowed {
        assert!(offences(code).is_empty(), "wrongly caught: {code}: {:?}", offences(code));
    }
    assert_eq!(
        expand_use("std::{io::{self, Read}, fs::File as F, collections::*}"),
        ["std::io", "std::io::Read", "std::fs::File", "std::collections::*"]
    );
}

#[test]
fn every_module_starts_with_a_doc_line() {
    let mut files = Vec::new();
    rust_files(&common::root().join("src"), &mut files);
    let missing: Vec<String> = files
        .iter()
        .filter(|f| !std::fs::read_to_string(f).unwrap().trim_start().starts_with("//!"))
        .map(|f| f.display().to_string())
        .collect();
    assert!(missing.is_empty(), "modules without a `//!` line: {missing:?}");
}

/// The server's settings as dotted leaf keys with their defaults.
fn server_settings() -> std::collections::BTreeMap<String, serde_json::Value> {
    fn flatten(prefix: &str, v: &serde_json::Value, out: &mut std::collections::BTreeMap<String, serde_json::Value>) {
        match v {
            // An object setting whose fields are all unset by default
            // (`filters`) is one setting.
            serde_json::Value::Object(o) if o.is_empty() && !prefix.is_empty() => {
                out.insert(prefix.to_string(), v.clone());
            }
            serde_json::Value::Object(o) => {
                for (k, v) in o {
                    let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    flatten(&key, v, out);
                }
            }
            other => {
                out.insert(prefix.to_string(), other.clone());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    flatten("", &serde_json::to_value(pprof_lsp::lsp::config::Config::default()).unwrap(), &mut out);
    out
}

/// The VS Code extension contributes exactly the server's settings (plus
/// its own client-only ones), with the server's defaults.
#[test]
fn vscode_settings_match_the_server_one_to_one() {
    let text = std::fs::read_to_string(common::root().join("editors/vscode/package.json")).unwrap();
    let package: serde_json::Value = serde_json::from_str(&text).unwrap();
    let properties = package["contributes"]["configuration"]["properties"].as_object().expect("settings");
    let client_only = ["server.path", "heat.enabled", "trace.server", "benchmarks.kind"];
    let contributed: std::collections::BTreeMap<String, serde_json::Value> = properties
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("pprof.").map(|k| (k.to_string(), v["default"].clone())))
        .filter(|(k, _)| !client_only.contains(&k.as_str()))
        .collect();
    let server = server_settings();
    assert_eq!(contributed.keys().collect::<Vec<_>>(), server.keys().collect::<Vec<_>>());
    for (key, default) in &server {
        assert_eq!(&contributed[key], default, "default of pprof.{key}");
    }
    for (key, setting) in properties {
        let text = setting["description"].as_str().or(setting["markdownDescription"].as_str());
        assert!(text.is_some_and(|d| d.len() > 10), "{key} has no description");
    }
}

/// The Neovim plugin knows the same top-level settings as the server.
#[test]
fn neovim_settings_match_the_server_one_to_one() {
    let text = std::fs::read_to_string(common::root().join("editors/nvim/lua/pprof/config.lua")).unwrap();
    let block = text.split("M.server_keys = {").nth(1).and_then(|b| b.split('}').next()).expect("server_keys");
    let mut lua: Vec<String> = block.split(',').map(|k| k.trim().trim_matches('\'').to_string()).filter(|k| !k.is_empty()).collect();
    lua.sort();
    let mut server: Vec<String> = server_settings().keys().map(|k| k.split('.').next().unwrap().to_string()).collect();
    server.dedup();
    server.sort();
    assert_eq!(lua, server);
}

// ---------------------------------------------------------------- the LSP layer's own layering

/// The layers of `src/lsp`, lowest first: state flows down, from the
/// protocol types through the snapshot, the session, publishing and the
/// sources to the handlers and the server on top. A module may use its own
/// layer (without a circle) and those below, never one above. Every module
/// of `src/lsp` is listed, so a new one has to be placed.
const LSP_LAYERS: &[(&str, &[&str])] = &[
    ("protocol and plain state", &["failure", "protocol", "config", "project", "documents", "convert", "runs", "lifecycle", "live_state"]),
    ("snapshot", &["snapshot", "locate", "goroutines", "status", "diagnostics"]),
    ("session", &["session", "progress"]),
    ("install", &["install"]),
    ("sources", &["live", "loader", "scan"]),
    ("handlers", &["inlay_hint", "code_lens", "hover", "symbol", "call_hierarchy", "settings", "commands", "commands::*"]),
    ("server", &["server", ""]),
];

/// `src/lsp`'s modules (`""` for `mod.rs`, `commands::top`, ...) and their
/// files.
fn lsp_modules(lsp: &Path) -> std::collections::BTreeMap<String, std::path::PathBuf> {
    let mut files = Vec::new();
    rust_files(lsp, &mut files);
    files
        .into_iter()
        .map(|f| {
            let rel = f.strip_prefix(lsp).unwrap().with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            (parts.join("::"), f)
        })
        .collect()
}

/// The modules of `modules` that `text`, the code of `module`, refers to:
/// through `use` trees, through paths written in the code (`super::x::f()`,
/// `crate::lsp::x`, `self::x`), and through its `mod x;` declarations.
/// Unit tests (from `#[cfg(test)]` on) are left out: their `super` is the
/// file's own module.
fn lsp_references(module: &str, text: &str, modules: &std::collections::BTreeSet<String>) -> std::collections::BTreeSet<String> {
    let mut code = code_lines(text);
    if let Some(tests) = code.iter().position(|l| l.trim() == "#[cfg(test)]") {
        code.truncate(tests);
    }
    let mut paths: Vec<String> = use_trees(&code).iter().flat_map(|t| expand_use(t)).collect();
    let inline = regex::Regex::new(r"\b(?:crate::lsp|self|super(?:::super)*)(?:::[a-z_][a-z0-9_]*)+").unwrap();
    for line in &code {
        paths.extend(inline.find_iter(line).map(|m| m.as_str().to_string()));
    }
    let declared = regex::Regex::new(r"^\s*(?:pub(?:\([a-z]+\))?\s+)?mod\s+([a-z_][a-z0-9_]*)\s*;").unwrap();
    for line in &code {
        if let Some(c) = declared.captures(line) {
            paths.push(format!("self::{}", &c[1]));
        }
    }
    let here: Vec<&str> = if module.is_empty() { Vec::new() } else { module.split("::").collect() };
    let mut out = std::collections::BTreeSet::new();
    for path in paths {
        let mut segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
        let mut at: Vec<&str> = match segments.first() {
            Some(&"crate") if segments.get(1) == Some(&"lsp") => {
                segments.drain(..2);
                Vec::new()
            }
            Some(&"self") => {
                segments.remove(0);
                here.clone()
            }
            Some(&"super") => {
                let mut at = here.clone();
                while segments.first() == Some(&"super") {
                    segments.remove(0);
                    at.pop();
                }
                at
            }
            _ => continue,
        };
        // `super::super::{…}` seen in the code's text: the use tree names
        // what it imports.
        if segments.is_empty() && path.ends_with("super") {
            continue;
        }
        // The deepest module the path names.
        let mut target = at.join("::");
        for s in segments {
            at.push(s);
            let candidate = at.join("::");
            if modules.contains(&candidate) {
                target = candidate;
            } else {
                break;
            }
        }
        if target != module {
            out.insert(target);
        }
    }
    out
}

/// The layer of a module, by its position in [`LSP_LAYERS`].
fn lsp_layer(module: &str) -> Option<usize> {
    LSP_LAYERS.iter().position(|(_, members)| {
        members.iter().any(|m| *m == module || m.strip_suffix("::*").is_some_and(|parent| module.starts_with(&format!("{parent}::"))))
    })
}

/// `src/lsp`'s import graph: each module with the modules it refers to.
fn lsp_graph() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let lsp = common::root().join("src/lsp");
    let modules = lsp_modules(&lsp);
    let names = modules.keys().cloned().collect();
    modules.iter().map(|(m, f)| (m.clone(), lsp_references(m, &std::fs::read_to_string(f).unwrap(), &names))).collect()
}

/// A circle in `graph`, as the modules along it, if there is one.
fn find_circle(graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        done: &mut std::collections::BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut circle = path[at..].to_vec();
            circle.push(node.to_string());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, done, path) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = std::collections::BTreeSet::new();
    graph.keys().find_map(|m| visit(m, graph, &mut done, &mut Vec::new()))
}

fn show(module: &str) -> String {
    if module.is_empty() { "lsp (mod.rs)".into() } else { module.to_string() }
}

#[test]
fn the_lsp_layer_has_no_import_circle_and_every_import_points_down() {
    let graph = lsp_graph();
    assert!(graph.len() >= 30, "expected src/lsp's modules, found {}", graph.len());
    let unplaced: Vec<&String> = graph.keys().filter(|m| lsp_layer(m).is_none()).collect();
    assert!(unplaced.is_empty(), "modules missing from LSP_LAYERS: {unplaced:?}");
    let mut upward = Vec::new();
    for (module, uses) in &graph {
        let layer = lsp_layer(module).unwrap();
        for used in uses {
            let used_layer = lsp_layer(used).unwrap();
            if used_layer > layer {
                upward.push(format!("{} ({}) uses {} ({})", show(module), LSP_LAYERS[layer].0, show(used), LSP_LAYERS[used_layer].0));
            }
        }
    }
    assert!(upward.is_empty(), "imports that point up:\n{}", upward.join("\n"));
    if let Some(circle) = find_circle(&graph) {
        panic!("import circle: {}", circle.iter().map(|m| show(m)).collect::<Vec<_>>().join(" → "));
    }
}

#[test]
fn no_command_or_request_handler_imports_the_server() {
    let graph = lsp_graph();
    let handlers = LSP_LAYERS.iter().find(|(name, _)| *name == "handlers").unwrap().1;
    let mut checked = 0;
    for (module, uses) in &graph {
        if module.is_empty() || module == "server" {
            continue;
        }
        checked += 1;
        let handler = lsp_layer(module) == lsp_layer("commands");
        assert!(!uses.contains("server"), "{} imports server.rs{}", show(module), if handler { " (a handler or command)" } else { "" });
    }
    assert!(checked > handlers.len(), "checked {checked} modules");
    // The server itself is seen using the handlers, so the graph is read.
    assert!(graph["server"].contains("commands") && graph["server"].contains("hover"), "{:?}", graph["server"]);
}

/// The graph reader: each way a module can be named is seen, relative to
/// where it is written.
#[test]
fn the_lsp_graph_reader_resolves_every_way_of_naming_a_module() {
    let modules: std::collections::BTreeSet<String> =
        ["", "server", "session", "snapshot", "commands", "commands::load", "commands::top", "locate"].iter().map(|s| s.to_string()).collect();
    let refs = |module: &str, code: &str| -> Vec<String> { lsp_references(module, code, &modules).into_iter().collect() };
    assert_eq!(refs("commands::load", "use super::super::server::Backend;"), ["server"]);
    assert_eq!(refs("commands::load", "use super::super::{session::Handle, snapshot};"), ["session", "snapshot"]);
    assert_eq!(refs("commands::load", "fn f() { super::super::locate::x(); }"), ["locate"]);
    assert_eq!(refs("commands::load", "use super::top;"), ["commands::top"]);
    assert_eq!(refs("commands", "mod load;\npub mod top;\nuse super::server;"), ["commands::load", "commands::top", "server"]);
    assert_eq!(refs("locate", "use crate::lsp::session::Handle;"), ["session"]);
    assert_eq!(refs("locate", "use super::Failure;"), [""]);
    assert_eq!(refs("locate", "// use super::server;\nuse crate::analysis::Index;"), Vec::<String>::new());
    assert_eq!(refs("locate", "use super::snapshot;\n#[cfg(test)]\nmod tests {\n    use super::*;\n}"), ["snapshot"]);
    // A circle is found, and its modules named in order.
    let graph: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(m, uses)| (m.to_string(), uses.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(find_circle(&graph).unwrap(), ["a", "b", "c", "a"]);
}

// ---------------------------------------------------------------- ARCHITECTURE.md's code map

/// Endings that make a word in backquotes a file name.
const FILE_ENDINGS: &[&str] = &[".rs", ".ts", ".lua", ".mjs", ".js", ".sh", ".py", ".md", ".proto", ".json", ".txt", ".html", ".css"];

/// The paths ARCHITECTURE.md's code map names in backquotes, each with the
/// folder of the section it is named in (`### \`src/lsp/\``): file names
/// (by their ending) and folders (ending in `/`). Patterns (`*`, `<…>`),
/// URLs and protocol method names are not paths.
fn code_map_paths(text: &str) -> Vec<(String, String)> {
    let start = text.find("## Code map").expect("ARCHITECTURE.md has a code map");
    let end = text[start..].find("\n## ").map_or(text.len(), |e| start + e);
    let mut section = String::new();
    let mut out = Vec::new();
    let quoted = regex::Regex::new(r"`([^`\s]+)`").unwrap();
    for line in text[start..end].lines() {
        if let Some(heading) = line.strip_prefix("### ") {
            // The folder the heading's first name is or is in.
            section = match quoted.captures(heading).map(|c| c[1].to_string()) {
                Some(dir) if dir.ends_with('/') => dir.trim_end_matches('/').to_string(),
                Some(file) => file.rsplit_once('/').map_or(String::new(), |(dir, _)| dir.to_string()),
                None => String::new(),
            };
        }
        for c in quoted.captures_iter(line) {
            let word = &c[1];
            let pattern = word.contains(['*', '<', '>', '{', ':', '(', '$', '=', '?']) || word.starts_with('/');
            let path_like = FILE_ENDINGS.iter().any(|e| word.ends_with(e)) || (word.ends_with('/') && word.len() > 1);
            if path_like && !pattern {
                out.push((section.clone(), word.to_string()));
            }
        }
    }
    out
}

/// Whether `name`, met in the section of folder `section`, names a file or
/// folder: from the top of the repository, from the section's folder, or
/// (a bare file name) anywhere below the section's folder.
fn names_a_path(root: &Path, section: &str, name: &str) -> bool {
    let name = name.trim_end_matches('/');
    if root.join(name).exists() || (!section.is_empty() && root.join(section).join(name).exists()) {
        return true;
    }
    if name.contains('/') || section.is_empty() {
        return false;
    }
    fn below(dir: &Path, name: &str) -> bool {
        std::fs::read_dir(dir).into_iter().flatten().flatten().any(|e| {
            let path = e.path();
            e.file_name() == name || (path.is_dir() && e.file_name() != "node_modules" && below(&path, name))
        })
    }
    below(&root.join(section), name)
}

#[test]
fn every_path_in_the_code_map_exists() {
    let root = common::root();
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let paths = code_map_paths(&text);
    assert!(paths.len() > 100, "the code map names {} paths; is it still read?", paths.len());
    let missing: Vec<String> =
        paths.iter().filter(|(section, name)| !names_a_path(&root, section, name)).map(|(s, n)| format!("{n} (under {s:?})")).collect();
    assert!(missing.is_empty(), "ARCHITECTURE.md's code map names paths that do not exist:\n{}", missing.join("\n"));
}

#[test]
fn the_code_map_reader_finds_paths_and_leaves_out_the_rest() {
    let text = "## Code map\n\n### `src/lsp/` — x\n\n- `server.rs` and `commands/top.rs`, `pprof/status`, `window/showDocument`, `*.rs`, `<profile>.top.txt`, `http://h/`\n### `editors/nvim/`\n`lua/pprof/`\n## Dependencies\n`README.md`\n";
    let pair = |s: &str, n: &str| (s.to_string(), n.to_string());
    assert_eq!(code_map_paths(text), [
        pair("src/lsp", "src/lsp/"),
        pair("src/lsp", "server.rs"),
        pair("src/lsp", "commands/top.rs"),
        pair("editors/nvim", "editors/nvim/"),
        pair("editors/nvim", "lua/pprof/"),
    ]);
    let root = common::root();
    assert!(names_a_path(&root, "src/lsp", "commands/top.rs"));
    assert!(names_a_path(&root, "src/profile", "go_text.rs"), "a bare name below the section's folder");
    assert!(!names_a_path(&root, "src/lsp", "flame.rs"), "a name from another folder");
    assert!(!names_a_path(&root, "src/paths", "flame.rs"));
}
