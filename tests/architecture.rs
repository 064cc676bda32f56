//! The pure core (`src/profile`, `src/analysis`, `src/report`) takes data and returns
//! data: no editor protocol, no async runtime, no filesystem, network,
//! processes or environment.

mod common;

use std::path::Path;

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

#[test]
fn core_modules_touch_no_io_async_or_editor_code() {
    let mut files = Vec::new();
    for dir in ["src/profile", "src/analysis", "src/report"] {
        rust_files(&common::root().join(dir), &mut files);
    }
    assert!(files.len() >= 8, "expected the core's files, found {}", files.len());
    let mut offences = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (no, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in FORBIDDEN {
                if code.contains(word) {
                    offences.push(format!("{}:{}: {}", file.display(), no + 1, line.trim()));
                }
            }
        }
    }
    assert!(offences.is_empty(), "the core reaches outside itself:\n{}", offences.join("\n"));
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
    let client_only = ["server.path", "heat.enabled", "trace.server"];
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
