//! Go build information read from real Go binaries: a tiny program
//! committed to a fresh git repository and built with the project's Go,
//! clean, with a change, and without version control stamping; the
//! binary found again from the heap profile it writes; the Go toolchain's
//! own binary; and damaged copies of a real binary, which must give errors,
//! never panics.
//!
//! These tests need Go (`PPROF_GOROOT`, from `scripts/live-env.sh`) and
//! git; without Go they fail under CI and print that they skipped
//! elsewhere (`common::live`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use object::{Object, ObjectSection};
use pprof_lsp::profile::buildinfo::{self, BuildInfo};
use pprof_lsp::profile::{decode, DecodeOptions};
use pprof_lsp::source::buildinfo::{binary_candidates, find_build_info, read_file, DEFAULT_MAX_BYTES};

const GO_MOD: &str = "module example.com/hello\n\ngo 1.22\n";

/// Keeps some memory live, so the heap profile has samples, and writes the
/// profile to the path given as the first argument.
const MAIN_GO: &str = r#"package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

var note = "none"

var keep [][]byte

func main() {
	runtime.MemProfileRate = 1
	for i := 0; i < 64; i++ {
		keep = append(keep, make([]byte, 4096))
	}
	runtime.GC()
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(note, len(keep))
}
"#;

/// The commit time given to git, and so the `vcs.time` Go records.
const COMMIT_TIME: &str = "2024-05-06T07:08:09Z";

/// A scratch folder: `repo` (the git checkout of the program), `out` (the
/// binaries, outside the checkout: an untracked file there would mark the
/// build modified), `home` and `gopath` (so that neither git nor Go reads or
/// writes the user's). Removed when dropped.
struct Scratch {
    root: PathBuf,
}

impl Scratch {
    fn new(tag: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!("pprof-lsp-buildinfo-{tag}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed)));
        let _ = std::fs::remove_dir_all(&root);
        for dir in ["repo", "out", "home", "gopath"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        Scratch { root }
    }

    fn repo(&self) -> PathBuf {
        self.root.join("repo")
    }

    fn out(&self, name: &str) -> PathBuf {
        self.root.join("out").join(name)
    }

    /// A command run in the checkout, with git's and Go's settings kept
    /// inside the scratch folder and commits at a fixed time.
    fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.repo())
            .env("HOME", self.root.join("home"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_DATE", COMMIT_TIME)
            .env("GIT_COMMITTER_DATE", COMMIT_TIME)
            .env("GOPATH", self.root.join("gopath"))
            .env("GOENV", "off")
            .env("GOTOOLCHAIN", "local")
            .env("GOPROXY", "off")
            .env("GOTELEMETRY", "off")
            // live-env.sh exports -buildvcs=false for every other test.
            .env("GOFLAGS", "");
        if std::env::var_os("GOCACHE").is_none() {
            cmd.env("GOCACHE", self.root.join("gocache"));
        }
        cmd
    }

    /// Runs `cmd` to its end and returns its standard output, trimmed.
    fn run(&self, mut cmd: Command) -> String {
        let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
        assert!(out.status.success(), "{cmd:?} failed: {}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn git(&self, args: &[&str]) -> String {
        let mut cmd = self.command(Path::new("git"));
        cmd.args(args);
        self.run(cmd)
    }

    /// The program written and committed; returns the commit's hash.
    fn commit_program(&self) -> String {
        std::fs::write(self.repo().join("go.mod"), GO_MOD).unwrap();
        std::fs::write(self.repo().join("main.go"), MAIN_GO).unwrap();
        self.git(&["init", "-q"]);
        self.git(&["add", "go.mod", "main.go"]);
        self.git(&["-c", "user.name=Build Info", "-c", "user.email=buildinfo@example.com", "commit", "-q", "-m", "hello"]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// `go build` of the checkout into `out/NAME`, with `flags`.
    fn build(&self, goroot: &Path, name: &str, flags: &[&str]) -> PathBuf {
        let bin = self.out(name);
        let mut cmd = self.command(&goroot.join("bin/go"));
        cmd.arg("build").args(flags).arg("-o").arg(&bin);
        self.run(cmd);
        bin
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// `go version -m BIN` as lines, each without its leading tab, less the
/// first (`BIN: goVERSION`).
fn go_version_m(scratch: &Scratch, goroot: &Path, bin: &Path) -> Vec<String> {
    let mut cmd = scratch.command(&goroot.join("bin/go"));
    cmd.args(["version", "-m"]).arg(bin);
    scratch.run(cmd).lines().skip(1).map(|l| l.trim_start_matches('\t').to_string()).collect()
}

/// The lines `go version -m` prints for what was read: Go quotes a value
/// with spaces, tabs, newlines or quotes as `strconv.Quote` does, which
/// for the printable ASCII here is what `{:?}` writes.
fn as_go_prints(info: &BuildInfo) -> Vec<String> {
    let mut lines = vec![format!("path\t{}", info.path)];
    if let Some(m) = &info.main_module {
        lines.push(format!("mod\t{}\t{}\t{}", m.path, m.version, m.sum));
    }
    for (key, value) in &info.settings {
        let quoted = if value.contains([' ', '\t', '\r', '\n', '"', '`']) { format!("{value:?}") } else { value.clone() };
        lines.push(format!("build\t{key}={quoted}"));
    }
    lines
}

fn timed_read(bin: &Path) -> BuildInfo {
    let size = std::fs::metadata(bin).unwrap().len();
    let start = Instant::now();
    let info = read_file(bin, DEFAULT_MAX_BYTES).unwrap_or_else(|e| panic!("{e}"));
    println!("read the build information of {} ({:.1} MB) in {:.2?}", bin.display(), size as f64 / 1e6, start.elapsed());
    info
}

#[test]
fn revision_time_and_modified_are_read_from_a_real_build() {
    let Some(goroot) = common::live::goroot() else { return };
    let scratch = Scratch::new("vcs");
    let head = scratch.commit_program();

    let clean = scratch.build(&goroot, "clean", &["-buildvcs=true", "-ldflags=-X 'main.note=hello world'"]);
    let info = timed_read(&clean);
    println!("{}: vcs={:?} vcs.revision={:?} vcs.time={:?} vcs.modified={:?}", clean.display(), info.vcs(), info.vcs_revision(), info.vcs_time(), info.vcs_modified());
    assert_eq!(info.vcs(), Some("git"));
    assert_eq!(info.vcs_revision(), Some(head.as_str()));
    assert_eq!(info.vcs_time(), Some(COMMIT_TIME));
    assert_eq!(info.vcs_modified(), Some(false));
    assert_eq!(info.setting("-ldflags"), Some("-X 'main.note=hello world'"));
    assert_eq!(info.path, "example.com/hello");
    assert_eq!(info.main_module.as_ref().map(|m| m.path.as_str()), Some("example.com/hello"));
    let mut goversion = scratch.command(&goroot.join("bin/go"));
    goversion.args(["env", "GOVERSION"]);
    assert_eq!(info.go_version, scratch.run(goversion));
    // Every line Go itself reads from the binary, quoting included.
    assert_eq!(as_go_prints(&info), go_version_m(&scratch, &goroot, &clean));

    // A change to a tracked file: the same commit, now modified.
    std::fs::write(scratch.repo().join("main.go"), format!("{MAIN_GO}\n// changed\n")).unwrap();
    let modified = scratch.build(&goroot, "modified", &["-buildvcs=true"]);
    let info = read_file(&modified, DEFAULT_MAX_BYTES).unwrap();
    assert_eq!(info.vcs_revision(), Some(head.as_str()));
    assert_eq!(info.vcs_modified(), Some(true));
    assert_eq!(as_go_prints(&info), go_version_m(&scratch, &goroot, &modified));

    // No stamping: the build information is there, the commit is not.
    let plain = scratch.build(&goroot, "plain", &["-buildvcs=false"]);
    let info = read_file(&plain, DEFAULT_MAX_BYTES).unwrap();
    assert_eq!((info.vcs(), info.vcs_revision(), info.vcs_time(), info.vcs_modified()), (None, None, None, None));
    assert_eq!(info.path, "example.com/hello");
    assert!(info.setting("GOOS").is_some(), "{:?}", info.settings);
}

#[test]
fn the_revision_is_found_from_the_heap_profile_alone() {
    let Some(goroot) = common::live::goroot() else { return };
    let scratch = Scratch::new("profile");
    let head = scratch.commit_program();
    let bin = scratch.build(&goroot, "server", &["-buildvcs=true"]);
    let plain = scratch.build(&goroot, "plain", &["-buildvcs=false"]);

    let profile_path = scratch.out("heap.pb.gz");
    let mut run = Command::new(&bin);
    run.arg(&profile_path);
    assert_eq!(scratch.run(run), "none 64");
    let profile = decode(&common::read(&profile_path), &DecodeOptions::default()).unwrap();
    let main = &profile.mappings.first().expect("a heap profile lists its mappings").filename;
    let bin_path = bin.canonicalize().unwrap();
    assert_eq!(Path::new(main).canonicalize().unwrap(), bin_path, "the first mapping is the binary");

    let canonical = |paths: Vec<PathBuf>| paths.into_iter().map(|p| p.canonicalize().unwrap_or(p)).collect::<Vec<_>>();
    assert_eq!(canonical(binary_candidates(&profile, None)), std::slice::from_ref(&bin_path));
    let (found, info) = find_build_info(&profile, None, DEFAULT_MAX_BYTES).unwrap();
    assert_eq!(found.canonicalize().unwrap(), bin_path);
    assert_eq!(info.vcs_revision(), Some(head.as_str()));
    println!("from {}: the profile's binary {} was built from {head}", profile_path.display(), found.display());

    // A configured binary is tried first; one that is missing or carries no
    // commit gives way to the profile's.
    let missing = scratch.out("missing");
    assert_eq!(canonical(binary_candidates(&profile, Some(&missing))), [missing.clone(), bin_path.clone()]);
    let (found, _) = find_build_info(&profile, Some(&missing), DEFAULT_MAX_BYTES).unwrap();
    assert_eq!(found.canonicalize().unwrap(), bin_path);
    let (found, _) = find_build_info(&profile, Some(&plain), DEFAULT_MAX_BYTES).unwrap();
    assert_eq!(found.canonicalize().unwrap(), bin_path);
    // When nothing has a commit, the first that reads.
    let mut elsewhere = profile.clone();
    elsewhere.mappings[0].filename = "/no/such/dir/server".into();
    let (found, info) = find_build_info(&elsewhere, Some(&plain), DEFAULT_MAX_BYTES).unwrap();
    assert_eq!((found, info.vcs_revision()), (plain.clone(), None));
    let why = find_build_info(&elsewhere, Some(&missing), DEFAULT_MAX_BYTES).unwrap_err();
    assert!(why.contains("missing: no such file"), "{why}");
    // A limit below the binary's size is refused with the limit named.
    let why = find_build_info(&profile, None, 1000).unwrap_err();
    assert!(why.contains("larger than the limit of 1000 bytes"), "{why}");
}

/// A release build of Go itself, the largest Go binary at hand: its
/// version is read, and it carries no commit.
#[test]
fn the_go_toolchain_binary_reads() {
    let Some(goroot) = common::live::goroot() else { return };
    let info = timed_read(&goroot.join("bin/go"));
    let version = std::fs::read_to_string(goroot.join("VERSION")).unwrap();
    assert_eq!(Some(info.go_version.as_str()), version.lines().next());
    assert_eq!(info.path, "cmd/go");
}

/// Cuts and single-byte changes of a real binary, where they matter most
/// (its headers and its build-information section), and cuts across the
/// rest: every one gives a result and none panics.
#[test]
fn damaged_copies_of_a_real_binary_never_panic() {
    let Some(goroot) = common::live::goroot() else { return };
    let scratch = Scratch::new("damage");
    scratch.commit_program();
    let bin = scratch.build(&goroot, "bin", &["-buildvcs=true"]);
    let mut bytes = common::read(&bin);
    let original = buildinfo::read(&bytes).unwrap();

    let (section, headers) = {
        let file = object::File::parse(&*bytes).unwrap();
        let (offset, size) = file.section_by_name(".go.buildinfo").unwrap().file_range().unwrap();
        // ELF64: program headers follow the 64-byte header; section
        // headers are at e_shoff, 64 bytes each.
        let phnum = u16::from_le_bytes([bytes[56], bytes[57]]) as u64;
        let shoff = u64::from_le_bytes(bytes[40..48].try_into().unwrap());
        let shnum = u16::from_le_bytes([bytes[60], bytes[61]]) as u64;
        (offset..offset + size, [0..64 + 56 * phnum, shoff..shoff + 64 * shnum])
    };
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    let mut note = |result: Result<BuildInfo, buildinfo::BuildInfoError>| {
        let kind = match result {
            Ok(info) if info == original => "same".to_string(),
            Ok(_) => "different".to_string(),
            Err(e) => format!("{e:?}").split(['(', ' ', '{']).next().unwrap().to_string(),
        };
        *outcomes.entry(kind).or_default() += 1;
    };

    let len = bytes.len() as u64;
    let cuts = (0..4096).chain((section.start.saturating_sub(64)..section.end + 64).filter(|&n| n <= len)).chain((0..len).step_by(4099));
    for cut in cuts {
        note(buildinfo::read(&bytes[..cut as usize]));
    }
    let mut changes = 0;
    for range in std::iter::once(section.clone()).chain(headers) {
        for at in range {
            let at = at as usize;
            let old = bytes[at];
            for new in [0, 0xff, old ^ 0x80, old.wrapping_add(1)] {
                bytes[at] = new;
                note(buildinfo::read(&bytes));
                changes += 1;
            }
            bytes[at] = old;
        }
    }
    println!("{} bytes, section {section:?}, {changes} changed copies and the cuts: {outcomes:?}", bytes.len());
    assert!(outcomes.get("same").is_some_and(|&n| n > 0) && outcomes.len() > 3, "{outcomes:?}");
}
