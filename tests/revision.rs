//! Profiles from another revision, against a real git repository built by
//! `scripts/make-revision-repo.sh` (tests/fixtures/revision): a heap
//! profile taken at revision A (tag `profiled`), with the checkout at B,
//! where three lines were inserted above one allocating line, another
//! allocating line's text changed, a third was deleted, and `cache.go` was
//! renamed `lru.go`. The server (in-process, over JSON-RPC) and the CLI
//! must show each cost where its code is now.

mod common;
mod lsp_support;

use std::path::Path;
use std::process::Command;

use common::revision_repo::RevisionRepo;
use lsp_support::*;
use pprof_lsp::analysis::Cost;
use pprof_lsp::report::labels::{self, HintFormat};
use serde_json::{json, Value};

/// The hint pprof's value gives a line that keeps one object of `bytes`
/// (the line is a leaf: flat and cum are the object).
fn hint_of(bytes: i64, total: i64) -> String {
    labels::hint_in(HintFormat::FlatCum, Cost { flat: bytes, cum: bytes }, total, "bytes")
}

/// Starts a server on the repository with `options` and waits for the
/// first load.
async fn start(repo: &RevisionRepo, options: Value) -> Client {
    let c = Client::start();
    let mut options = hermetic(options);
    options["profiles"] = json!([repo.profile]);
    c.initialize(&repo.dir, options, full_capabilities()).await;
    let mark = c.mark();
    c.initialized();
    c.wait_loaded_after(mark).await;
    c
}

async fn hover_text(c: &Client, uri: &str, line: i64) -> String {
    let hover = c
        .ok("textDocument/hover", json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": 0 } }))
        .await;
    hover["contents"]["value"].as_str().unwrap_or_default().to_string()
}

/// Every hint of a document as (0-based line, label).
async fn hint_lines(c: &Client, uri: &str) -> Vec<(i64, String)> {
    c.hints(uri).await.iter().map(|h| (h["position"]["line"].as_i64().unwrap(), label(h))).collect()
}

fn short(sha: &str) -> &str {
    &sha[..7]
}

/// What the server shows with the profile's revision known, however it
/// became known: each cost on the line where its code is now.
async fn assert_lines_follow_the_code(c: &Client, repo: &RevisionRepo, source: &str) {
    let status = c.status().await;
    let total = status["total"].as_i64().unwrap();
    let l = &repo.lines;
    assert_eq!(status["revision"]["sha"], repo.rev_a, "{status}");
    assert_eq!(status["revision"]["short"], short(&repo.rev_a));
    assert_eq!(status["revision"]["source"], source);
    assert!(status["summary"].as_str().unwrap().contains(&format!("@{}", short(&repo.rev_a))), "{status}");

    let store = c.open(&repo.path(&l.moved.file));
    let hints = hint_lines(c, &store).await;
    // Moved: the hint is on the line's new place, with pprof's value.
    let moved = hint_lines(c, &store).await.into_iter().find(|(line, _)| *line == l.moved.b - 1);
    assert_eq!(moved.map(|(_, h)| h), Some(hint_of(l.moved.bytes, total)), "{hints:?}");
    // Changed: it keeps its hint, marked stale, and the hover says since when.
    let changed = hints.iter().find(|(line, _)| *line == l.changed.b - 1).map(|(_, h)| h.clone());
    let stale = format!("{}{}", hint_of(l.changed.bytes, total), labels::stale_since_revision(short(&repo.rev_a)));
    assert_eq!(changed, Some(stale), "{hints:?}");
    let hover = hover_text(c, &store, l.changed.b - 1).await;
    assert!(hover.contains(&labels::changed_since_revision(short(&repo.rev_a))), "{hover}");
    // Deleted: no line carries its value.
    let deleted = hint_of(l.deleted.bytes, total);
    assert!(hints.iter().all(|(_, h)| !h.starts_with(&deleted)), "{deleted} should be gone: {hints:?}");
    // Nothing else in the file is hinted: the hints are exactly these two.
    assert_eq!(hints.len(), 2, "{hints:?}");

    // Renamed: the new file is annotated.
    let lru = c.open(&repo.path(&l.renamed.file_b));
    assert_eq!(c.hint_at(&lru, (l.renamed.b - 1) as u64).await, Some(hint_of(l.renamed.bytes, total)));
    // Unchanged files are as recorded.
    let main = c.open(&repo.path(&l.same.file));
    assert_eq!(c.hint_at(&main, (l.same.b - 1) as u64).await, Some(hint_of(l.same.bytes, total)));

    // pprof.top's rows point at the lines now.
    let rows = c.command_ok("pprof.top", json!({ "n": 50 })).await;
    let row = rows.as_array().unwrap().iter().find(|r| r["flat"] == l.moved.bytes).unwrap_or_else(|| panic!("{rows}"));
    assert_eq!((row["uri"].as_str(), row["line"].as_i64()), (Some(store.as_str()), Some(l.moved.b)), "{row}");
    let row = rows.as_array().unwrap().iter().find(|r| r["flat"] == l.renamed.bytes).unwrap_or_else(|| panic!("{rows}"));
    assert_eq!((row["uri"].as_str(), row["line"].as_i64()), (Some(lru.as_str()), Some(l.renamed.b)), "{row}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_revision_set_costs_follow_the_code() {
    let Some(repo) = RevisionRepo::build() else { return };
    let c = start(&repo, json!({ "revision": "profiled" })).await;
    assert_lines_follow_the_code(&c, &repo, "setting").await;
    let status = c.status().await;
    assert!(status["detail"].as_str().unwrap().contains("1 file changed since"), "{status}");
    assert!(status.get("revisionDirty").is_none(), "a setting says nothing of a dirty tree: {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_revision_is_found_from_the_binary_alone() {
    let Some(repo) = RevisionRepo::build() else { return };
    // No setting: the profile's main mapping is the binary, built in the
    // repository at A with its build info.
    let c = start(&repo, json!({})).await;
    assert_lines_follow_the_code(&c, &repo, "buildInfo").await;
    let status = c.status().await;
    // The kernel records the binary's path with symbolic links resolved.
    let binary = status["revision"]["binary"].as_str().map(|b| Path::new(b).canonicalize().unwrap());
    assert_eq!(binary, Some(repo.binary.canonicalize().unwrap()), "{status}");
    assert_eq!(status["revisionDirty"], false, "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profiles_entry_carries_its_own_revision() {
    let Some(repo) = RevisionRepo::build() else { return };
    std::fs::remove_file(&repo.binary).unwrap();
    let c = Client::start();
    let options = hermetic(json!({ "profiles": [{ "path": "profiles/heap.pb.gz", "revision": repo.rev_a }], "revision": "HEAD" }));
    c.initialize(&repo.dir, options, full_capabilities()).await;
    let mark = c.mark();
    c.initialized();
    c.wait_loaded_after(mark).await;
    assert_lines_follow_the_code(&c, &repo, "setting").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_revision_the_status_names_the_mismatch_once() {
    let Some(repo) = RevisionRepo::build() else { return };
    std::fs::remove_file(&repo.binary).unwrap();
    let c = start(&repo, json!({})).await;
    let status = c.status().await;
    assert!(status.get("revision").is_none(), "{status}");
    let notes: Vec<&str> = status["revisionNotes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    assert_eq!(notes.len(), 1, "{status}");
    assert!(notes[0].contains(&format!("older than commit {}", short(&repo.rev_b))) && notes[0].contains("`revision`"), "{notes:?}");
    assert_eq!(status["detail"].as_str().unwrap().matches("older than commit").count(), 1, "{status}");
    // Lines are as recorded: the moved line's value is on its old number.
    let total = status["total"].as_i64().unwrap();
    let store = c.open(&repo.path(&repo.lines.moved.file));
    assert_eq!(c.hint_at(&store, (repo.lines.moved.a - 1) as u64).await, Some(hint_of(repo.lines.moved.bytes, total)));
}

/// The status's revision notes, joined.
async fn notes(c: &Client) -> String {
    let status = c.status().await;
    assert!(status.get("revision").is_none(), "{status}");
    status["revisionNotes"].as_array().map(|n| n.iter().map(|v| v.as_str().unwrap().to_string()).collect::<Vec<_>>().join("\n")).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_revisions_leave_lines_unmapped_and_say_why() {
    let Some(repo) = RevisionRepo::build() else { return };
    std::fs::remove_file(&repo.binary).unwrap();
    let marker = repo.dir.join("pwned");
    for (revision, expected) in [
        (format!("--upload-pack=touch {}", marker.display()), "starts with"),
        ("HEAD;rm -rf /".to_string(), "revision"),
        ("0123456789abcdef0123456789abcdef01234567".to_string(), "git fetch"),
        ("no-such-branch".to_string(), "git fetch"),
    ] {
        let c = start(&repo, json!({ "revision": revision })).await;
        let notes = notes(&c).await;
        assert!(notes.contains(expected) && notes.contains("lines are used as recorded"), "{revision}: {notes}");
        let total = c.status().await["total"].as_i64().unwrap();
        let store = c.open(&repo.path(&repo.lines.moved.file));
        assert_eq!(c.hint_at(&store, (repo.lines.moved.a - 1) as u64).await, Some(hint_of(repo.lines.moved.bytes, total)));
    }
    assert!(!marker.exists(), "a revision string ran a command");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shallow_clone_and_a_folder_outside_git_say_so() {
    let Some(repo) = RevisionRepo::build() else { return };
    // A shallow clone of B has no A.
    let shallow = repo.dir.with_extension("shallow");
    let _ = std::fs::remove_dir_all(&shallow);
    let url = format!("file://{}", repo.dir.display());
    let out = Command::new("git").args(["clone", "-q", "--depth", "1", &url]).arg(&shallow).env("GIT_CONFIG_NOSYSTEM", "1").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut options = hermetic(json!({ "revision": repo.rev_a }));
    options["profiles"] = json!([repo.profile]);
    let c = Client::start();
    c.initialize(&shallow, options, full_capabilities()).await;
    let mark = c.mark();
    c.initialized();
    c.wait_loaded_after(mark).await;
    let shallow_notes = notes(&c).await;
    let _ = std::fs::remove_dir_all(&shallow);
    assert!(shallow_notes.contains("shallow") && shallow_notes.contains("--unshallow"), "{shallow_notes}");

    // The same files outside any repository.
    let plain = TempDir::new("revision-plain");
    for file in ["main.go", "store.go", "lru.go"] {
        std::fs::copy(repo.path(file), plain.path().join(file)).unwrap();
    }
    let mut options = hermetic(json!({ "revision": repo.rev_a }));
    options["profiles"] = json!([repo.profile]);
    let c = Client::start();
    c.initialize(plain.path(), options, full_capabilities()).await;
    let mark = c.mark();
    c.initialized();
    c.wait_loaded_after(mark).await;
    let plain_notes = notes(&c).await;
    assert!(plain_notes.contains("is not inside a git working tree"), "{plain_notes}");
}

/// `pprof-lsp ARGS`, its stdout, stderr and success.
fn cli(args: &[&str]) -> (String, String, bool) {
    let out = Command::new(env!("CARGO_BIN_EXE_pprof-lsp")).args(args).output().unwrap();
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned(), out.status.success())
}

/// The flat of the `lines --json` record of a file and line, if any.
fn flat_at(json: &str, file: &str, line: i64) -> Option<i64> {
    let records: Value = serde_json::from_str(json).unwrap();
    records.as_array().unwrap().iter().find(|r| r["file"] == file && r["line"] == line).map(|r| r["flat"].as_i64().unwrap())
}

#[test]
fn the_cli_keeps_recorded_lines_unless_given_a_revision() {
    let Some(repo) = RevisionRepo::build() else { return };
    let profile = repo.profile.to_str().unwrap();
    let dir = repo.dir.to_str().unwrap();
    let store = repo.profile_file(&repo.lines.moved.file);
    let l = &repo.lines;

    let (recorded, _, ok) = cli(&["lines", "--json", profile]);
    assert!(ok);
    assert_eq!(flat_at(&recorded, &store, l.moved.a), Some(l.moved.bytes));
    assert_eq!(flat_at(&recorded, &store, l.deleted.a), Some(l.deleted.bytes));

    let (mapped, stderr, ok) = cli(&["lines", "--json", "--revision", "profiled", "--workspace", dir, profile]);
    assert!(ok, "{stderr}");
    assert_eq!(flat_at(&mapped, &store, l.moved.b), Some(l.moved.bytes), "{mapped}");
    assert_eq!(flat_at(&mapped, &store, l.changed.b), Some(l.changed.bytes));
    assert_eq!(flat_at(&mapped, &store, l.deleted.a), None, "the deleted line has no number now");
    assert!(stderr.contains("1 frames are on lines deleted since profiled"), "{stderr}");

    let (top, _, ok) = cli(&["top", "--lines", "--revision", "profiled", "--workspace", dir, profile]);
    assert!(ok);
    assert!(top.contains(&format!("store.go:{}", l.moved.b)), "{top}");
    let (top, _, _) = cli(&["top", "--lines", profile]);
    assert!(top.contains(&format!("store.go:{}", l.moved.a)) && !top.contains(&format!("store.go:{}", l.moved.b)), "{top}");

    let (_, stderr, ok) = cli(&["top", "--revision", "--upload-pack=touch /tmp/x", "--workspace", dir, profile]);
    assert!(!ok && stderr.contains("--upload-pack"), "{stderr}");
    let (_, stderr, ok) = cli(&["top", "--revision", "nope", "--workspace", dir, profile]);
    assert!(!ok && stderr.contains("git fetch"), "{stderr}");
}

/// The fixture's profile as if taken at B: the same allocations on B's
/// lines (the deleted one without a line), written beside it.
fn profile_at_b(repo: &RevisionRepo) -> std::path::PathBuf {
    use pprof_lsp::paths::{LocalPath, PathMapper};
    use pprof_lsp::source::revision::{self, Input, Settings};
    let bytes = std::fs::read(&repo.profile).unwrap();
    let mut profile = pprof_lsp::profile::decode(&bytes, &Default::default()).unwrap();
    let input = Input {
        settings: Settings { revision: Some("profiled".into()), binary: None, labelled: None },
        workspace: Some(repo.dir.clone()),
        limits: Default::default(),
    };
    let ws = pprof_lsp::source::workspace::scan(std::slice::from_ref(&repo.dir), &Default::default());
    let mapper = PathMapper::new(ws, Vec::new());
    let names: Vec<String> = profile.functions.iter().map(|f| f.filename.clone()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let fs = pprof_lsp::source::fs::RealFs;
    let (files, mapped) = revision::map_files(&names, &profile, &mapper, &fs, &input, &Default::default());
    let moved = revision::remap_lines(&mut profile, |name| mapped.lines_of(&LocalPath::new(files.local_for(name)?)));
    assert!(moved.moved > 0 && moved.gone > 0, "{moved:?}");
    let out = repo.dir.join("profiles/heap-at-b.pb.gz");
    std::fs::write(&out, pprof_lsp::profile::encode(&profile)).unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_diff_base_is_mapped_with_its_own_revision() {
    let Some(repo) = RevisionRepo::build() else { return };
    std::fs::remove_file(&repo.binary).unwrap();
    let at_b = profile_at_b(&repo);
    let c = Client::start();
    // The same allocations, taken at A (shown) and at B (the base): once
    // each is mapped with its own revision, every line cancels out.
    let options = hermetic(json!({
        "profiles": [
            { "path": "profiles/heap.pb.gz", "revision": "profiled" },
            { "path": "profiles/heap-at-b.pb.gz", "revision": "HEAD" },
        ],
        "diffBase": at_b,
    }));
    c.initialize(&repo.dir, options, full_capabilities()).await;
    let mark = c.mark();
    c.initialized();
    c.wait_loaded_after(mark).await;
    let status = c
        .eventually("the diff", WAIT, || async {
            let status = c.status().await;
            (status["diffBase"].is_string() && status["revision"].is_object()).then_some(status)
        })
        .await;
    let store = c.open(&repo.path(&repo.lines.moved.file));
    let lru = c.open(&repo.path(&repo.lines.renamed.file_b));
    let hints = hint_lines(&c, &store).await;
    assert!(hints.is_empty(), "equal allocations should cancel out line by line: {hints:?} ({status})");
    assert!(hint_lines(&c, &lru).await.is_empty());

    // Said to be taken at A too, the base is compared line for line as
    // recorded, and the moved allocation no longer pairs with itself:
    // the base's own revision is what aligned them.
    c.set_settings(hermetic(json!({
        "profiles": [
            { "path": "profiles/heap.pb.gz", "revision": "profiled" },
            { "path": "profiles/heap-at-b.pb.gz", "revision": "profiled" },
        ],
        "diffBase": at_b,
    })));
    let mark = c.mark();
    c.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    c.wait_after(mark, |m| m["method"] == "workspace/inlayHint/refresh", WAIT).await;
    let hints = c.eventually("unpaired lines", WAIT, || async { Some(hint_lines(&c, &store).await).filter(|h| !h.is_empty()) }).await;
    assert!(hints.iter().any(|(line, _)| *line == repo.lines.moved.b - 1), "{hints:?}");
}

/// `GET`/`POST` to the web view the server serves.
async fn web(addr: std::net::SocketAddr, method: &'static str, target: String, body: Vec<u8>) -> Value {
    let host = addr.to_string();
    let answer = tokio::task::spawn_blocking(move || {
        common::http::exchange(addr, method, &target, &host, &[("Content-Type", "application/json")], &body)
    })
    .await
    .unwrap();
    answer.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_views_source_shows_lines_where_they_are_now_and_clicks_land_there() {
    let Some(repo) = RevisionRepo::build() else { return };
    let c = start(&repo, json!({ "revision": "profiled" })).await;
    let url = c.command_ok("pprof.openWeb", Value::Null).await["url"].as_str().unwrap().to_string();
    let rest = url.strip_prefix("http://").unwrap();
    let (addr, token) = rest.split_once("/?token=").unwrap();
    let (addr, token): (std::net::SocketAddr, String) = (addr.parse().unwrap(), token.to_string());
    let l = &repo.lines;
    let store = repo.profile_file(&l.moved.file);
    let source = web(addr, "GET", format!("/api/source?token={token}&file={store}"), Vec::new()).await;
    let lines = source["lines"].as_array().unwrap();
    let row = |line: i64| &lines[(line - 1) as usize];
    // The moved allocation's cost is on its line now, which says where
    // the profile recorded it.
    assert!(row(l.moved.b)["flat"].as_str().is_some_and(|f| !f.is_empty()), "{}", row(l.moved.b));
    assert_eq!(row(l.moved.b)["recorded"], l.moved.a);
    assert!(row(l.moved.b)["text"].as_str().unwrap().contains("rev:moved"));
    assert_eq!(row(l.changed.b)["changedSince"], short(&repo.rev_a));
    assert!(lines.iter().filter(|r| r["flat"].is_string()).count() == 2, "moved and changed only: {source}");
    // A click on the moved row (the page sends the recorded line) opens
    // the line where it is now.
    let mark = c.mark();
    let click = json!({ "file": store, "line": l.moved.a }).to_string().into_bytes();
    let answer = web(addr, "POST", format!("/api/open?token={token}"), click).await;
    assert_eq!(answer["opened"], true, "{answer}");
    let show = c.wait_after(mark, |m| m["method"] == "window/showDocument", WAIT).await;
    assert_eq!(show["params"]["selection"]["start"]["line"], l.moved.b - 1, "{show}");
}
