//! Writes a git repository with a long history and a heap profile taken at
//! its first commit, for measuring what mapping a profile from an older
//! revision costs the language server (`scripts/bench-revision.py`).
//!
//!     cargo run --release --example gen_revision_repo -- [--files N] [--commits N]
//!         [--samples N] [--seed N] OUT_DIR
//!
//! OUT_DIR (made if missing, must be empty) becomes a Go module
//! (`example.com/revbench`) of `--files` source files (default 1,000) of
//! 100–400 lines, in packages of 25 files. Commit A holds them all and is
//! tagged `profiled`; `--commits` more (default 200) follow, each changing
//! 2–8 files (lines inserted, deleted and edited at random places, a new
//! function now and then; a few files are edited far more often than the
//! rest) and every eighth also renaming one file. The working tree is the
//! last commit, checked out, with a settled index. Then
//! `OUT_DIR/profiles/heap.pb.gz` is a heap profile (`--samples` distinct
//! stacks, default 80,000) whose frames are lines of the files as they were
//! at A, under their absolute paths in OUT_DIR, as Go records them; every
//! file has some. The profile's main mapping names a binary that does not
//! exist, so the server finds no build info.
//!
//! Prints one JSON object on stdout, and writes it to
//! `OUT_DIR/profiles/revbench.json`:
//!
//!     {"dir", "revA", "head", "profile", "files", "commits", "samples",
//!      "functions", "locations", "changed", "renamed",
//!      "keystrokeFile", "keystrokeLine"}
//!
//! "changed" counts the files whose text at the head differs from A's
//! (renamed ones included); "keystrokeFile" (relative to "dir") is the
//! changed file with the most profiled lines and "keystrokeLine" a 0-based
//! line of it to type on. git runs with `GIT_CONFIG_NOSYSTEM=1`, a HOME of
//! its own and no global configuration; the commits have fixed authors and
//! dates, so the same arguments give the same commits.

#[path = "../benches/support/synth.rs"]
mod synth;

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use pprof_lsp::profile::{
    Function, FunctionIdx, Label, LabelValue, Line, Location, LocationIdx, Mapping, MappingIdx, Profile, ValueType,
};
use synth::Rng;

const MODULE: &str = "example.com/revbench";
const FILES_PER_PACKAGE: usize = 25;
/// Commit A's time (2025-01-01 12:00 UTC); each later commit is an hour on.
const TIME_A: i64 = 1_735_732_800;

struct Options {
    files: usize,
    commits: usize,
    samples: usize,
    seed: u64,
    out: PathBuf,
}

fn usage() -> ExitCode {
    eprintln!("usage: gen_revision_repo [--files N] [--commits N] [--samples N] [--seed N] OUT_DIR");
    ExitCode::from(2)
}

fn parse_args() -> Option<Options> {
    let mut o = Options { files: 1000, commits: 200, samples: 80_000, seed: 0x5eed_2e71, out: PathBuf::new() };
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = || args.next()?.replace('_', "").parse::<u64>().ok();
        match arg.as_str() {
            "--files" => o.files = number().filter(|&n| n > 0)? as usize,
            "--commits" => o.commits = number()? as usize,
            "--samples" => o.samples = number().filter(|&n| n > 0)? as usize,
            "--seed" => o.seed = number()?,
            _ if arg.starts_with('-') => return None,
            _ if out.is_none() => out = Some(PathBuf::from(arg)),
            _ => return None,
        }
    }
    o.out = out?;
    Some(o)
}

// ---------------------------------------------------------------- Go text

const WORDS: &[&str] = &[
    "buf", "key", "val", "item", "rec", "row", "col", "name", "id", "count", "size", "offset", "limit", "total", "msg",
    "req", "resp", "entry", "node", "next", "prev", "head", "tail", "data", "line", "part", "field", "token", "span",
    "batch", "chunk", "page", "index", "seen", "state", "cache", "queue", "list", "tags", "meta",
];
const VERBS: &[&str] = &[
    "load", "store", "parse", "encode", "decode", "flush", "merge", "split", "check", "apply", "build", "scan", "fetch",
    "write", "read", "sort", "trim", "emit", "track", "reset",
];
const IMPORTS: &[&str] = &["bytes", "context", "errors", "fmt", "io", "sort", "strconv", "strings", "sync", "time"];

fn pick<'a>(rng: &mut Rng, from: &[&'a str]) -> &'a str {
    from[rng.below(from.len() as u64) as usize]
}

fn title(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
}

/// One simple statement (no braces) at `indent` tabs.
fn statement(rng: &mut Rng, indent: usize) -> String {
    let tabs = "\t".repeat(indent);
    let (a, b) = (pick(rng, WORDS), pick(rng, WORDS));
    let n = rng.range(1, 4096);
    let text = match rng.below(12) {
        0 => format!("{a} := make([]byte, 0, {n})"),
        1 => format!("{a} = append({a}, {b}...)"),
        2 => format!("total += len({a}) * {n}"),
        3 => format!("{a}{n} := strings.TrimSpace(string({b}))"),
        4 => format!("// {} the {a} first, then the {b}.", title(pick(rng, VERBS))),
        5 => format!("s.{a}s[{b}ID] = {n}"),
        6 => format!("{a}, err := s.{}{}(ctx, {b})", pick(rng, VERBS), title(b)),
        7 => format!("_ = fmt.Sprintf(\"{a} %d of {b}\", {n})"),
        8 => format!("s.mu.Lock(); s.{a}Count += {n}; s.mu.Unlock()"),
        9 => format!("{a} := strconv.Itoa({n} + len({b}))"),
        10 => format!("if {a} == nil {{ return nil, errors.New(\"{} {b}: no {a}\") }}", pick(rng, VERBS)),
        _ => format!("{a}.{}(&{b}, {n})", title(pick(rng, VERBS))),
    };
    tabs + &text
}

/// A function body: statements with a few nested blocks.
fn body(rng: &mut Rng, lines: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(lines + 4);
    while out.len() < lines {
        match rng.below(8) {
            0 => {
                let (a, v) = (pick(rng, WORDS), pick(rng, VERBS));
                out.push(format!("\tfor i, {a} := range s.{a}s {{"));
                for _ in 0..rng.range(1, 5) {
                    out.push(statement(rng, 2));
                }
                out.push(format!("\t\ts.{v}At(i, {a})"));
                out.push("\t}".into());
            }
            1 => {
                let v = pick(rng, VERBS);
                out.push(format!("\tif err := s.{v}(ctx); err != nil {{"));
                out.push(format!("\t\treturn nil, fmt.Errorf(\"{v} {}: %w\", err)", pick(rng, WORDS)));
                out.push("\t}".into());
            }
            _ => out.push(statement(rng, 1)),
        }
    }
    out.push(format!("\treturn {}, nil", pick(rng, WORDS)));
    out
}

/// A function: doc comment, signature, body, closing brace, blank line.
fn function(rng: &mut Rng, unique: &str) -> Vec<String> {
    let name = format!("{}{}{unique}", title(pick(rng, VERBS)), title(pick(rng, WORDS)));
    let mut out = vec![format!("// {name} {}s the {} of the service.", pick(rng, VERBS), pick(rng, WORDS))];
    out.push(format!("func (s *Service) {name}(ctx context.Context, {} []byte) ([]byte, error) {{", pick(rng, WORDS)));
    let lines = rng.range(8, 45) as usize;
    out.extend(body(rng, lines));
    out.push("}".into());
    out.push(String::new());
    out
}

/// A whole file of about `target` lines.
fn go_file(rng: &mut Rng, package: &str, file: usize, target: usize) -> Vec<String> {
    let mut out = vec![format!("// Package {package}: part {file} of the service."), format!("package {package}"), String::new()];
    out.push("import (".into());
    let mut imports: Vec<&str> = IMPORTS.iter().copied().filter(|_| rng.chance(0.6)).collect();
    imports.sort_unstable();
    for i in imports {
        out.push(format!("\t\"{i}\""));
    }
    out.push(")".into());
    out.push(String::new());
    let mut k = 0;
    while out.len() < target {
        out.extend(function(rng, &format!("{file}x{k}")));
        k += 1;
    }
    out
}

/// Where `func` lines are: (0-based start, 0-based closing brace).
fn functions_in(lines: &[String]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("func ") {
            start = Some(i);
        } else if l == "}" {
            if let Some(s) = start.take() {
                out.push((s, i));
            }
        }
    }
    out
}

/// Whether a line is a plain statement inside a function, safe to edit or
/// delete without unbalancing braces.
fn simple(line: &str) -> bool {
    line.starts_with('\t') && !line.contains('{') && !line.contains('}') && !line.trim_start().starts_with("return")
}

/// One commit's edit of a file: 1–4 changes at random places.
fn edit(rng: &mut Rng, lines: &mut Vec<String>, unique: &str) {
    for op in 0..rng.range(1, 4) {
        let funcs = functions_in(lines);
        let Some(&(start, end)) = funcs.get(rng.below(funcs.len().max(1) as u64) as usize) else { return };
        let at = rng.range(start as u64 + 1, end as u64) as usize;
        match rng.below(10) {
            // Lines inserted into a function.
            0..=3 => {
                let new: Vec<String> = (0..rng.range(1, 10)).map(|_| statement(rng, 1)).collect();
                lines.splice(at..at, new);
            }
            // A run of plain lines deleted.
            4..=5 => {
                let (mut to, most) = (at, rng.range(1, 6) as usize);
                while to < end && to - at < most && simple(&lines[to]) {
                    to += 1;
                }
                lines.drain(at..to);
            }
            // Lines rewritten in place.
            6..=8 => {
                let to = (at + rng.range(1, 3) as usize).min(end);
                for line in lines[at..to].iter_mut().filter(|l| simple(l)) {
                    let indent = line.len() - line.trim_start_matches('\t').len();
                    *line = statement(rng, indent);
                }
            }
            // A new function before this one (and its doc comment).
            _ => {
                let f = function(rng, &format!("{unique}n{op}"));
                let before = start.saturating_sub(1);
                lines.splice(before..before, f);
            }
        }
    }
}

fn text(lines: &[String]) -> String {
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

// ---------------------------------------------------------------- git

struct Git {
    dir: PathBuf,
    home: PathBuf,
}

impl Git {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("git");
        c.current_dir(&self.dir)
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .args(["-c", "init.defaultBranch=main", "-c", "user.name=Rev Bench", "-c", "user.email=revbench@example.com"])
            .args(["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
            .args(args);
        c
    }

    fn run(&self, args: &[&str]) -> String {
        let out = self.command(args).stderr(Stdio::inherit()).output().unwrap_or_else(|e| panic!("git {args:?}: {e}"));
        assert!(out.status.success(), "git {args:?} failed");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn run_with_input(&self, args: &[&str], input: &[u8]) {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("git {args:?}: {e}"));
        child.stdin.take().unwrap().write_all(input).expect("writing to git");
        assert!(child.wait().expect("waiting for git").success(), "git {args:?} failed");
    }
}

/// Builds a `git fast-import` stream.
struct Stream(Vec<u8>);

impl Stream {
    fn commit(&mut self, mark: usize, time: i64, message: &str) {
        let who = format!("Rev Bench <revbench@example.com> {time} +0000");
        writeln!(self.0, "commit refs/heads/main\nmark :{mark}\nauthor {who}\ncommitter {who}").unwrap();
        self.data(message.as_bytes());
    }

    fn data(&mut self, bytes: &[u8]) {
        writeln!(self.0, "data {}", bytes.len()).unwrap();
        self.0.extend_from_slice(bytes);
        self.0.push(b'\n');
    }

    fn modify(&mut self, path: &str, contents: &str) {
        writeln!(self.0, "M 100644 inline {path}").unwrap();
        self.data(contents.as_bytes());
    }

    fn rename(&mut self, from: &str, to: &str) {
        writeln!(self.0, "R {from} {to}").unwrap();
    }
}

// ---------------------------------------------------------------- profile

/// A function of commit A: its file, name and lines (1-based).
struct ProfiledFunction {
    file: usize,
    name: String,
    start: i64,
    /// Lines of its body, as sites of calls and allocations.
    sites: Vec<i64>,
}

fn profiled_functions(files: &[(String, Vec<String>)], rng: &mut Rng) -> Vec<ProfiledFunction> {
    let mut out = Vec::new();
    for (f, (rel, lines)) in files.iter().enumerate() {
        let package = rel.split('/').next().unwrap_or("main");
        for (start, end) in functions_in(lines) {
            let name = lines[start].split_once(") ").and_then(|(_, r)| r.split_once('(')).map_or("f", |(n, _)| n);
            let candidates: Vec<i64> = (start + 1..end).filter(|&i| simple(&lines[i])).map(|i| i as i64 + 1).collect();
            if candidates.is_empty() {
                continue;
            }
            let n = (rng.range(2, 6) as usize).min(candidates.len());
            let mut sites: Vec<i64> = (0..n).map(|_| candidates[rng.below(candidates.len() as u64) as usize]).collect();
            sites.sort_unstable();
            sites.dedup();
            out.push(ProfiledFunction { file: f, name: format!("{MODULE}/{package}.(*Service).{name}"), start: start as i64 + 1, sites });
        }
    }
    out
}

/// A heap profile whose user frames are `functions`' sites, in files under `dir`.
fn heap_profile(dir: &str, files: &[(String, Vec<String>)], functions: &[ProfiledFunction], samples: usize, rng: &mut Rng) -> Profile {
    let t = |n: &str, u: &str| ValueType { name: n.into(), unit: u.into() };
    let mut p = Profile {
        sample_types: vec![t("alloc_objects", "count"), t("alloc_space", "bytes"), t("inuse_objects", "count"), t("inuse_space", "bytes")],
        period_type: Some(t("space", "bytes")),
        period: 512 * 1024,
        time_nanos: (TIME_A + 1800) * 1_000_000_000,
        ..Default::default()
    };
    p.mappings.push(Mapping {
        id: 1,
        memory_start: 0x40_0000,
        memory_limit: 0x1040_0000,
        filename: format!("{dir}/.bin/revbench"),
        build_id: "2e71b3c45d6a7b8c9d0e1f2a3b4c5d6e7f8091a2".into(),
        has_functions: true,
        has_filenames: true,
        has_line_numbers: true,
        has_inline_frames: true,
        ..Default::default()
    });
    let mut address = 0x40_1000u64;
    let mut location = |p: &mut Profile, function: FunctionIdx, line: i64| {
        address += 0x40;
        p.locations.push(Location {
            id: p.locations.len() as u64 + 1,
            mapping: Some(MappingIdx(0)),
            address,
            lines: vec![Line { function, line, column: 0 }],
            is_folded: false,
        });
        LocationIdx(p.locations.len() as u32 - 1)
    };
    let function = |p: &mut Profile, name: String, filename: String, start_line: i64| {
        p.functions.push(Function { id: p.functions.len() as u64 + 1, system_name: name.clone(), name, filename, start_line });
        FunctionIdx(p.functions.len() as u32 - 1)
    };
    // The runtime frames every stack starts with.
    let goexit = function(&mut p, "runtime.goexit".into(), "/usr/local/go/src/runtime/asm_amd64.s".into(), 1698);
    let serve = function(&mut p, "net/http.(*conn).serve".into(), "/usr/local/go/src/net/http/server.go".into(), 1950);
    let handler = function(&mut p, "net/http.HandlerFunc.ServeHTTP".into(), "/usr/local/go/src/net/http/server.go".into(), 2170);
    let roots = [location(&mut p, goexit, 1700), location(&mut p, serve, 2092), location(&mut p, handler, 2171)];
    // Each function's sites.
    let sites: Vec<Vec<LocationIdx>> = functions
        .iter()
        .map(|f| {
            let id = function(&mut p, f.name.clone(), format!("{dir}/{}", files[f.file].0), f.start);
            f.sites.iter().map(|&line| location(&mut p, id, line)).collect()
        })
        .collect();
    let first_of_file: Vec<usize> = {
        let mut first = vec![usize::MAX; files.len()];
        for (i, f) in functions.iter().enumerate().rev() {
            first[f.file] = i;
        }
        first
    };
    // Functions by weight: a few hot, most lukewarm.
    let weights: Vec<f64> = functions.iter().map(|_| rng.pareto(1.2).min(1e3)).collect();
    let cumulative: Vec<f64> = weights.iter().scan(0.0, |acc, w| {
        *acc += w;
        Some(*acc)
    }).collect();
    let mut seen = HashSet::with_capacity(samples);
    let mut stack: Vec<LocationIdx> = Vec::new();
    let mut attempts = 0usize;
    while p.samples.len() < samples && attempts < samples * 20 {
        attempts += 1;
        stack.clear();
        stack.extend_from_slice(&roots);
        let depth = rng.range(3, 24) as usize;
        for d in 0..depth {
            let k = p.samples.len();
            // The first samples end in each file in turn, so every file has data.
            let f = if d + 1 == depth && k < files.len() && first_of_file[k] != usize::MAX {
                first_of_file[k]
            } else {
                rng.weighted(&cumulative)
            };
            let s = &sites[f];
            stack.push(s[rng.below(s.len() as u64) as usize]);
        }
        if !seen.insert(stack.clone()) {
            continue;
        }
        let size = [16i64, 32, 48, 64, 128, 256, 512, 1024, 4096, 32768][rng.below(10) as usize];
        let objects = rng.pareto(1.3).min(1e5).floor() as i64;
        let inuse = if rng.chance(0.6) { 0 } else { objects / 2 };
        let leaf_first: Vec<LocationIdx> = stack.iter().rev().copied().collect();
        let label = Label { key: "bytes".into(), value: LabelValue::Num { value: size, unit: "".into() } };
        p.push_sample(&leaf_first, &[objects, objects * size, inuse, inuse * size], Some(label));
    }
    p
}

// ---------------------------------------------------------------- main

fn main() -> ExitCode {
    let Some(o) = parse_args() else { return usage() };
    if o.out.exists() && std::fs::read_dir(&o.out).map(|mut d| d.next().is_some()).unwrap_or(true) {
        eprintln!("gen_revision_repo: {} exists and is not an empty directory", o.out.display());
        return ExitCode::FAILURE;
    }
    std::fs::create_dir_all(&o.out).expect("making the output directory");
    let dir = std::fs::canonicalize(&o.out).expect("the output directory");
    // git's HOME: a directory of its own beside the output, removed at the end.
    let home = std::env::temp_dir().join(format!("gen-revision-repo-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).expect("making git's home");
    let git = Git { dir: dir.clone(), home };
    let started = Instant::now();
    let mut rng = Rng::new(o.seed);

    // Commit A.
    let mut files: Vec<(String, Vec<String>)> = (0..o.files)
        .map(|i| {
            let package = format!("pkg{:02}", i / FILES_PER_PACKAGE);
            let target = rng.range(100, 400) as usize;
            let lines = go_file(&mut rng, &package, i, target);
            (format!("{package}/file{i:04}.go"), lines)
        })
        .collect();
    let at_a = files.clone();
    let mut stream = Stream(Vec::new());
    stream.commit(1, TIME_A, "revbench: the service");
    stream.modify("go.mod", &format!("module {MODULE}\n\ngo 1.22\n"));
    stream.modify(".gitignore", "profiles/\n.bin/\n");
    for (rel, lines) in &files {
        stream.modify(rel, &text(lines));
    }
    stream.0.extend_from_slice(b"reset refs/tags/profiled\nfrom :1\n\n");

    // The history: some files are edited far more often than others.
    let hot: Vec<f64> = (0..o.files).map(|_| rng.pareto(1.0).min(50.0)).collect();
    let cumulative: Vec<f64> = hot.iter().scan(0.0, |acc, w| {
        *acc += w;
        Some(*acc)
    }).collect();
    let mut renamed = 0;
    for c in 0..o.commits {
        let mut touched: Vec<usize> = (0..rng.range(2, 8)).map(|_| rng.weighted(&cumulative)).collect();
        touched.sort_unstable();
        touched.dedup();
        let mut renames = Vec::new();
        if c % 8 == 7 {
            let f = rng.below(o.files as u64) as usize;
            if !files[f].0.contains("moved") {
                let (package, _) = files[f].0.split_once('/').unwrap();
                let new = format!("{package}/moved_{c:03}_{}.go", pick(&mut rng, VERBS));
                renames.push((files[f].0.clone(), new.clone()));
                files[f].0 = new;
                renamed += 1;
            }
        }
        stream.commit(c + 2, TIME_A + 3600 * (c as i64 + 1), &format!("revbench: change {} of the service", c + 1));
        for (from, to) in &renames {
            stream.rename(from, to);
        }
        for &f in &touched {
            edit(&mut rng, &mut files[f].1, &format!("c{c}"));
            stream.modify(&files[f].0, &text(&files[f].1));
        }
        stream.0.push(b'\n');
    }

    git.run(&["init", "-q"]);
    git.run_with_input(&["fast-import", "--quiet"], &stream.0);
    git.run(&["reset", "-q", "--hard", "main"]);
    // A second on, the index's times are older than the files': git trusts
    // them without reading the files again, as in a checkout in use.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    git.run(&["update-index", "-q", "--refresh"]);
    let rev_a = git.run(&["rev-parse", "profiled^{commit}"]);
    let head = git.run(&["rev-parse", "HEAD"]);
    assert!(git.run(&["status", "--porcelain", "--untracked-files=no"]).is_empty(), "the checkout is not clean");

    // The profile, of A's lines.
    let dir_text = dir.to_string_lossy().to_string();
    let functions = profiled_functions(&at_a, &mut rng);
    let profile = heap_profile(&dir_text, &at_a, &functions, o.samples, &mut rng);
    let profile_path = dir.join("profiles/heap.pb.gz");
    std::fs::create_dir_all(profile_path.parent().unwrap()).expect("making profiles/");
    std::fs::write(&profile_path, synth::to_gzipped_protobuf(&profile)).expect("writing the profile");

    // What changed since A, and the file to type in.
    let changed: Vec<usize> = (0..o.files).filter(|&f| files[f] != at_a[f]).collect();
    let mut lines_per_file: HashMap<usize, usize> = HashMap::new();
    for f in &functions {
        *lines_per_file.entry(f.file).or_default() += f.sites.len();
    }
    let keystroke = changed.iter().copied().filter(|f| !files[*f].0.contains("moved")).max_by_key(|f| lines_per_file.get(f).copied().unwrap_or(0));
    let (keystroke_file, keystroke_line) = match keystroke {
        Some(f) => (files[f].0.clone(), functions_in(&files[f].1).first().map_or(0, |&(s, _)| s + 1)),
        None => (files[0].0.clone(), 0),
    };
    let json = |s: &str| serde_json::Value::String(s.to_string());
    let summary = serde_json::json!({
            "dir": json(&dir_text), "revA": rev_a, "head": head, "profile": json(&profile_path.to_string_lossy()),
            "files": o.files, "commits": o.commits, "samples": profile.samples.len(), "functions": profile.functions.len(),
            "locations": profile.locations.len(), "changed": changed.len(), "renamed": renamed,
            "keystrokeFile": keystroke_file, "keystrokeLine": keystroke_line,
    });
    std::fs::write(dir.join("profiles/revbench.json"), format!("{summary}\n")).expect("writing profiles/revbench.json");
    println!("{summary}");
    let _ = std::fs::remove_dir_all(&git.home);
    eprintln!(
        "gen_revision_repo: {} files, {} commits after A ({} files changed since A, {renamed} renamed), {} samples, in {:.1?}",
        o.files,
        o.commits,
        changed.len(),
        profile.samples.len(),
        started.elapsed()
    );
    ExitCode::SUCCESS
}
