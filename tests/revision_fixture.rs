//! The revision fixture's repository (`common::revision_repo`, made by
//! `scripts/make-revision-repo.sh`) has what the tests of profiles from
//! another revision rely on: `profiled` is revision A and the profile was
//! written between A and B; the profile holds exactly the known bytes at
//! each tagged line of A's files; B moves, changes and deletes those lines
//! and renames one file as documented; B builds; the working tree is clean.
//! Needs Go (`PPROF_GOROOT`): fails without it under CI, skips elsewhere.

mod common;

use std::process::Command;

use pprof_lsp::analysis::{select, Index};
use pprof_lsp::profile::{decode, DecodeOptions};
use pprof_lsp::report::lines::LineRecord;

use common::revision_repo::RevisionRepo;

/// What each tagged line of revision A allocates and keeps: one object of
/// this many bytes. tests/fixtures/README.md documents the same numbers.
const SIZES: [(&str, i64); 5] = [("same", 8192), ("changed", 16384), ("moved", 32768), ("deleted", 65536), ("renamed", 131072)];

/// (tag, file at A, line at A, bytes) for every tagged line.
fn tagged_at_a(repo: &RevisionRepo) -> Vec<(&'static str, &str, i64, i64)> {
    let l = &repo.lines;
    vec![
        ("moved", l.moved.file.as_str(), l.moved.a, l.moved.bytes),
        ("changed", l.changed.file.as_str(), l.changed.a, l.changed.bytes),
        ("deleted", l.deleted.file.as_str(), l.deleted.a, l.deleted.bytes),
        ("renamed", l.renamed.file_a.as_str(), l.renamed.a, l.renamed.bytes),
        ("same", l.same.file.as_str(), l.same.a, l.same.bytes),
    ]
}

fn line_of(text: &str, line: i64) -> &str {
    text.lines().nth(line as usize - 1).unwrap_or_else(|| panic!("no line {line} in {text:?}"))
}

#[test]
fn revision_repo_has_the_documented_history_profile_and_lines() {
    let Some(repo) = RevisionRepo::build() else { return };
    println!("{repo:#?}");

    // History: A tagged `profiled`, B checked out on top of it, nothing
    // uncommitted (the binary and the profile are ignored).
    assert_eq!(repo.git(&["rev-parse", "profiled^{commit}"]).trim(), repo.rev_a);
    assert_eq!(repo.git(&["rev-parse", "HEAD"]).trim(), repo.rev_b);
    assert_eq!(repo.git(&["rev-parse", "HEAD~1"]).trim(), repo.rev_a);
    assert_eq!(repo.git(&["status", "--porcelain", "--untracked-files=all"]), "");
    assert_eq!(repo.git(&["log", "-1", "--format=%at %ct", &repo.rev_a]).trim(), format!("{0} {0}", repo.time_a));
    assert_eq!(repo.git(&["log", "-1", "--format=%at %ct", &repo.rev_b]).trim(), format!("{0} {0}", repo.time_b));
    let names = repo.git(&["diff", "--name-status", "-M", &repo.rev_a, &repo.rev_b]);
    let renamed = format!("R100\t{}\t{}", repo.lines.renamed.file_a, repo.lines.renamed.file_b);
    assert!(names.lines().any(|l| l == renamed), "git sees the rename as {renamed:?}: {names:?}");
    assert_eq!(names, format!("{renamed}\nM\tstore.go\n"), "B changes only store.go besides the rename");

    // The profile: written after A's date and before B's, by a program
    // built from A with A's revision in its build information.
    let profile = decode(&std::fs::read(&repo.profile).unwrap(), &DecodeOptions::default()).expect("the heap profile decodes");
    assert!(
        repo.time_a * 1_000_000_000 < profile.time_nanos && profile.time_nanos < repo.time_b * 1_000_000_000,
        "profile time {} between A ({}) and B ({})",
        profile.time_nanos,
        repo.time_a,
        repo.time_b
    );
    let goroot = common::live::goroot().expect("the repository needed Go");
    let go = goroot.join("bin/go");
    let info = Command::new(&go).args(["version", "-m"]).arg(&repo.binary).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains(&format!("vcs.revision={}", repo.rev_a)), "the binary was built at A: {info}");
    assert!(info.contains("vcs.modified=false"), "from a clean tree: {info}");

    // The profile's values at A's tagged lines: the CLI's inuse_space
    // (the default type), and one object each in the index.
    let out = Command::new(env!("CARGO_BIN_EXE_pprof-lsp")).arg("lines").arg("--json").arg(&repo.profile).output().unwrap();
    assert!(out.status.success(), "lines --json: {}", String::from_utf8_lossy(&out.stderr));
    let records: Vec<LineRecord> = serde_json::from_slice(&out.stdout).unwrap();
    let index = Index::build(&profile);
    let inuse_objects = select(&profile, Some("inuse_objects")).unwrap();
    let alloc_space = select(&profile, Some("alloc_space")).unwrap();
    for (tag, file, line, bytes) in tagged_at_a(&repo) {
        let expected = SIZES.iter().find(|(t, _)| *t == tag).unwrap().1;
        assert_eq!(bytes, expected, "the script reads rev:{tag}'s size from a/");
        let path = repo.profile_file(file);
        let flat: Vec<i64> = records.iter().filter(|r| r.file == path && r.line == line).map(|r| r.flat).collect();
        assert_eq!(flat, [expected], "inuse_space flat at rev:{tag}, {path}:{line}");
        let file_id = index.file_ids().find(|&f| index.file(f) == path).unwrap_or_else(|| panic!("{path} is in the profile"));
        let line_id = *index.lines_of_file(file_id).iter().find(|&&l| index.line(l).line == line).expect("the line is indexed");
        assert_eq!(index.line_cost(line_id, inuse_objects).flat, 1, "one object kept at rev:{tag}");
        assert_eq!(index.line_cost(line_id, alloc_space).flat, expected, "nothing else allocated at rev:{tag}");
    }

    // Sources: each tag at its lines in A (from git) and B (the working
    // tree), and the documented differences.
    for (tag, file, line, _) in tagged_at_a(&repo) {
        let text = repo.git(&["show", &format!("profiled:{file}")]);
        assert!(line_of(&text, line).ends_with(&format!("// rev:{tag}")), "rev:{tag} at {file}:{line} in A");
    }
    let l = &repo.lines;
    let b_text = |file: &str, line: i64| line_of(&std::fs::read_to_string(repo.path(file)).unwrap(), line).to_string();
    let a_text = |file: &str, line: i64| line_of(&repo.git(&["show", &format!("profiled:{file}")]), line).to_string();
    assert_eq!(l.moved.b, l.moved.a + 3, "three lines inserted above rev:moved");
    assert_eq!(b_text(&l.moved.file, l.moved.b), a_text(&l.moved.file, l.moved.a));
    assert_eq!(l.changed.b, l.changed.a, "rev:changed keeps its place");
    assert_ne!(b_text(&l.changed.file, l.changed.b), a_text(&l.changed.file, l.changed.a), "rev:changed has new text");
    assert!(b_text(&l.changed.file, l.changed.b).ends_with("// rev:changed"));
    assert_eq!(l.same.b, l.same.a);
    assert_eq!(b_text(&l.same.file, l.same.b), a_text(&l.same.file, l.same.a));
    assert!(b_text(&l.same.file, l.same.b).ends_with("// rev:same"));
    assert_eq!((l.renamed.file_a.as_str(), l.renamed.file_b.as_str()), ("cache.go", "lru.go"));
    assert!(!repo.path(&l.renamed.file_a).exists(), "{} is gone in B", l.renamed.file_a);
    assert_eq!(std::fs::read_to_string(repo.path(&l.renamed.file_b)).unwrap(), repo.git(&["show", &format!("profiled:{}", l.renamed.file_a)]));
    assert_eq!(l.renamed.b, l.renamed.a);
    let b_files = repo.git(&["ls-files"]);
    for file in b_files.lines() {
        let text = std::fs::read_to_string(repo.path(file)).unwrap();
        assert!(!text.contains("// rev:deleted"), "rev:deleted is gone in B, but {file} has it");
    }

    // B builds, and the build leaves the tree clean.
    let out = Command::new(&go)
        .args(["build", "-o", ".bin/revdemo-b", "."])
        .current_dir(&repo.dir)
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .output()
        .unwrap();
    assert!(out.status.success(), "B builds: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(repo.git(&["status", "--porcelain", "--untracked-files=all"]), "");

    // Dropping the repository removes it.
    let dir = repo.dir.clone();
    drop(repo);
    assert!(!dir.exists(), "{} is removed", dir.display());
}
