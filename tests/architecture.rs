//! The pure core (`src/profile`, `src/analysis`) takes data and returns
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
    for dir in ["src/profile", "src/analysis"] {
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
