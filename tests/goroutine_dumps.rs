//! Goroutine dumps (`?debug=2`, crash logs) against what Go and pprof say
//! about the same goroutines.
//!
//! The fixtures come from real runs (`scripts/record-goroutine-dumps.sh`):
//! goleak's `goroutine` and `goroutineleak` protobuf profiles were each
//! taken between two dumps, back to back, so a line whose count differs
//! between the two dumps is one whose goroutines changed between the
//! requests, and the profile's count there lies between the dumps'; every
//! other line must agree exactly. Two differences come from how Go writes
//! dumps, and are left out of the comparison:
//!
//! * a dump never prints unexported `runtime.` functions (`runtime.Stack`
//!   forces the traceback level that hides them, whatever GOTRACEBACK
//!   says), so only the lines of functions Go prints are compared, by cum:
//!   a dump's flat lands on its first printed frame, the protobuf's on
//!   `runtime.gopark`;
//! * the goroutine serving the request runs other code in each request,
//!   so samples through `net/http/pprof.handler.ServeHTTP` are ignored.
//!
//! Expected lines come from the fixture programs' `// marker: NAME` lines,
//! counts from the pprof goldens, the dumps' own text and each other.

mod common;

#[path = "../benches/support/goroutine_dump.rs"]
mod generated;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::live::{marker_line, Service};
use common::{fixture, golden_dir, parse_top, read, root, TopGolden, Variant};
use pprof_lsp::analysis::{self, filter, Filters, Index};
use pprof_lsp::profile::{decode, DecodeError, DecodeOptions, LabelValue, Profile, SampleRef, Seen};
use pprof_lsp::report::lines::records;
use pprof_lsp::source::load::{fetch, ProfileSource};

// ------------------------------------------------------------ helpers

fn load(name: &str) -> Profile {
    decode(&read(&fixture(name)), &DecodeOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn text(name: &str) -> String {
    String::from_utf8(read(&fixture(name))).unwrap()
}

/// The goroutine headers of a dump's text, by an independent reading:
/// lines that start `goroutine N [` or `goroutine N gp=`.
fn headers(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| {
            let Some(rest) = l.strip_prefix("goroutine ") else { return false };
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            digits > 0 && (rest[digits..].starts_with(" [") || rest[digits..].starts_with(" gp="))
        })
        .collect()
}

/// Whether Go's traceback prints frames of `function` at the level
/// `runtime.Stack` uses: every function but unexported `runtime.` ones
/// (`showfuncinfo` and `isExportedRuntime` in runtime/traceback.go).
fn printed_by_go(function: &str) -> bool {
    let Some(rest) = function.strip_prefix("runtime.") else { return function.contains('.') };
    let (receiver, name) = rest.rsplit_once('.').unwrap_or(("", rest));
    let receiver = receiver.trim_start_matches("(*").trim_end_matches(')');
    let exported = |s: &str| s.starts_with(|c: char| c.is_ascii_uppercase());
    exported(name) && (receiver.is_empty() || exported(receiver))
}

/// `function file:line` as pprof's `-top -lines` names a row.
type Key = String;

/// Cum per line of one sample type, leaving out the goroutine that served
/// the request.
fn cum_by_line(profile: &Profile, sample_type: &str) -> BTreeMap<Key, i64> {
    let filters = Filters { ignore: Some(r"^net/http/pprof\.handler\.ServeHTTP$".into()), ..Filters::default() };
    let profile = filter::apply(profile, &filters).unwrap();
    let t = analysis::select(&profile, Some(sample_type)).unwrap();
    let index = Index::build(&profile);
    records(&index, t).into_iter().map(|r| (format!("{} {}:{}", r.function, r.file, r.line), r.cum)).collect()
}

/// The row of `function` at the marked line of `program`'s main.go.
fn marked(rows: &BTreeMap<Key, i64>, program: &str, marker: &str) -> i64 {
    let suffix = format!("/{program}/main.go:{}", marker_line(program, marker));
    let found: Vec<i64> = rows.iter().filter(|(k, _)| k.ends_with(&suffix)).map(|(_, &v)| v).collect();
    assert!(found.len() <= 1, "{suffix}: {found:?}");
    found.first().copied().unwrap_or(0)
}

/// What a comparison of a profile with the dumps before and after it saw.
#[derive(Debug, Default)]
struct Between {
    compared: usize,
    /// Lines whose count differs between the two dumps.
    changed: Vec<String>,
    /// Lines where the profile is outside the dumps' range.
    problems: Vec<String>,
}

/// Every line of a printed function: the profile's count must lie between
/// the dumps', so it equals them where they agree.
fn between(before: &BTreeMap<Key, i64>, profile: &BTreeMap<Key, i64>, after: &BTreeMap<Key, i64>) -> Between {
    let keys: BTreeSet<&Key> = before.keys().chain(profile.keys()).chain(after.keys()).collect();
    let mut out = Between::default();
    for key in keys {
        if !printed_by_go(key.split(' ').next().unwrap()) {
            continue;
        }
        let get = |rows: &BTreeMap<Key, i64>| rows.get(key).copied().unwrap_or(0);
        let (b, p, a) = (get(before), get(profile), get(after));
        out.compared += 1;
        if b != a {
            out.changed.push(format!("{key}: {b} then {a}"));
        }
        if p < b.min(a) || p > b.max(a) {
            out.problems.push(format!("{key}: dump {b}, profile {p}, dump after {a}"));
        }
    }
    out
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pprof-lsp")).args(args).current_dir(root()).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// `pprof-lsp top --lines` of a fixture with every row in exact counts,
/// plus `extra` flags.
fn top_lines(name: &str, extra: &[&str]) -> (String, TopGolden) {
    let path = fixture(name);
    let mut args = vec!["top".to_string(), "--lines".into()];
    args.extend(Variant::Full.cli_args("count"));
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(path.to_string_lossy().into_owned());
    let (ok, out, err) = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(ok, "{args:?}: {err}");
    let parsed = parse_top(&out);
    (out, parsed)
}

fn cum_rows(top: &TopGolden) -> BTreeMap<Key, i64> {
    top.rows.iter().map(|(k, r)| (k.clone(), r.cum)).collect()
}

fn str_label<'a>(s: &SampleRef<'a>, key: &str) -> Option<&'a str> {
    s.labels.iter().find(|l| &*l.key == key).and_then(|l| match &l.value {
        LabelValue::Str(v) => Some(&**v),
        LabelValue::Num { .. } => None,
    })
}

fn num_label(s: &SampleRef<'_>, key: &str) -> Option<i64> {
    s.labels.iter().find(|l| &*l.key == key).and_then(|l| match &l.value {
        LabelValue::Num { value, .. } => Some(*value),
        LabelValue::Str(_) => None,
    })
}

/// Whether the sample has a frame at `file_suffix:line`.
fn passes(p: &Profile, s: &SampleRef<'_>, file_suffix: &str, line: i64) -> bool {
    s.locations.iter().flat_map(|&l| &p.location(l).lines).any(|l| l.line == line && p.function(l.function).filename.ends_with(file_suffix))
}

/// The function a `go` statement at `line` of `program`'s main.go is in,
/// named as Go names it (`main.NAME`), from the nearest `func` line above.
fn enclosing_function(program: &str, line: i64) -> String {
    let source = std::fs::read_to_string(root().join("tests/fixtures").join(program).join("main.go")).unwrap();
    let lines: Vec<&str> = source.lines().take(line as usize).collect();
    let func = lines.iter().rev().find_map(|l| l.strip_prefix("func ")).expect("a func line above");
    format!("main.{}", &func[..func.find('(').unwrap()])
}

const LEAK_KINDS: [&str; 4] = ["send", "receive", "lock", "wait"];
const IDLE: [&str; 2] = ["worker-waits", "watchdog-waits"];

// ------------------------------------------------------------ goleak's dumps against its profiles

/// Compares the protobuf profile `[1]` with the dumps `[0]` and `[2]`
/// taken before and after it, for `sample_type`; at least `lines` lines
/// must be compared. Returns the rows of the dump taken before and of the
/// profile.
fn taken_between(files: [&str; 3], sample_type: &str, lines: usize) -> [BTreeMap<Key, i64>; 2] {
    let [before, profile, after] = files.map(|f| cum_by_line(&load(f), sample_type));
    let seen = between(&before, &profile, &after);
    eprintln!("{sample_type}: {} lines compared, {} changed between the dumps: {:?}", seen.compared, seen.changed.len(), seen.changed);
    assert!(seen.problems.is_empty(), "{}", seen.problems.join("\n"));
    assert!(seen.compared >= lines, "only {} lines compared", seen.compared);
    [before, profile]
}

#[test]
fn the_goroutine_dump_and_profile_taken_back_to_back_agree_per_line() {
    // The leak profile's dump, taken next, lists every goroutine too.
    let files = ["goleak.goroutine.debug2.txt", "goleak.goroutine.pb.gz", "goleak.goroutineleak.debug2.txt"];
    let [_, profile] = taken_between(files, "goroutine", 40);
    for marker in LEAK_KINDS.map(|k| format!("{k}-blocks")).iter().map(String::as_str).chain(IDLE) {
        assert!(marked(&profile, "goleak", marker) > 0, "{marker} has no goroutine");
    }
}

#[test]
fn the_leak_dump_and_leak_profile_taken_back_to_back_agree_per_line() {
    let files = ["goleak.goroutineleak.debug2.txt", "goleak.goroutineleak.pb.gz", "goleak.goroutineleak.after.debug2.txt"];
    let [before, _] = taken_between(files, "goroutineleak", 8);
    // Go's detector reports the four kinds of leak and not the idle
    // goroutines, which the dump lists all the same.
    let all = cum_by_line(&load("goleak.goroutineleak.debug2.txt"), "goroutine");
    for kind in LEAK_KINDS {
        assert!(marked(&before, "goleak", &format!("{kind}-blocks")) > 0, "no leak at {kind}-blocks");
    }
    for marker in IDLE {
        assert_eq!(marked(&before, "goleak", marker), 0, "{marker} is reported leaked");
        assert!(marked(&all, "goleak", marker) > 0, "{marker} is not in the dump");
    }
    let own_leaks: BTreeSet<i64> = before
        .iter()
        .filter(|(k, &v)| v > 0 && k.contains("/goleak/main.go:"))
        .map(|(k, _)| k.rsplit_once(':').unwrap().1.parse().unwrap())
        .collect();
    let blocking: BTreeSet<i64> = LEAK_KINDS.iter().map(|k| marker_line("goleak", &format!("{k}-blocks"))).collect();
    assert_eq!(own_leaks, blocking, "the program's own lines with leaked goroutines");
}

/// Each leaked goroutine carries its state, its creator and the `go`
/// statement that started it, as the dump prints them.
#[test]
fn leaked_goroutines_name_their_go_statement() {
    let p = load("goleak.goroutineleak.debug2.txt");
    let dump = text("goleak.goroutineleak.debug2.txt");
    let feeder = dump
        .lines()
        .find_map(|l| l.strip_prefix("created by main.leakOnce in goroutine "))
        .map(|n| n.parse::<i64>().unwrap())
        .expect("a created-by line names the feeder");
    for kind in LEAK_KINDS {
        let blocks = marker_line("goleak", &format!("{kind}-blocks"));
        let go = marker_line("goleak", &format!("{kind}-go"));
        let samples: Vec<SampleRef> = p.iter_samples().filter(|s| passes(&p, s, "/goleak/main.go", blocks)).collect();
        assert_eq!(samples.len(), 1, "{kind}: equal goroutines are one sample");
        let s = &samples[0];
        assert_eq!(s.values[0], s.values[1], "{kind}: every such goroutine is leaked");
        assert_eq!(str_label(s, "leaked"), Some("true"));
        assert_eq!(str_label(s, "leak"), Some(kind), "the pprof label the goroutine set");
        assert_eq!(str_label(s, "created_by"), Some(enclosing_function("goleak", go).as_str()));
        let at = str_label(s, "created_at").unwrap();
        assert!(at.ends_with(&format!("/goleak/main.go:{go}")), "{kind}: created at {at}");
        assert_eq!(num_label(s, "parent_goroutine"), Some(feeder));
        let state = str_label(s, "state").unwrap();
        let printed = format!("[{state} (leaked)] {{leak: {kind}}}:");
        assert_eq!(headers(&dump).iter().filter(|h| h.ends_with(&printed)).count() as i64, s.values[0], "{kind}: {printed}");
    }
}

#[test]
fn top_of_a_leak_dump_counts_only_leaked_goroutines_as_pprof_does() {
    let dump = "goleak.goroutineleak.debug2.txt";
    let (out, top) = top_lines(dump, &[]);
    assert!(out.starts_with("Type: goroutineleak\nShowing nodes accounting for "), "{out}");
    let leaked = headers(&text(dump)).iter().filter(|h| h.contains(" (leaked)")).count() as i64;
    assert_eq!(top.total, leaked);
    // Against the golden of the protobuf profile taken next, and the dump
    // taken after it.
    let golden = parse_top(&std::fs::read_to_string(golden_dir().join("goleak.goroutineleak.goroutineleak.lines.top.txt")).unwrap());
    let (_, after) = top_lines("goleak.goroutineleak.after.debug2.txt", &[]);
    assert!(top.total.min(after.total) <= golden.total && golden.total <= top.total.max(after.total));
    let seen = between(&cum_rows(&top), &cum_rows(&golden), &cum_rows(&after));
    assert!(seen.problems.is_empty(), "{}", seen.problems.join("\n"));
    assert!(seen.compared >= 8, "only {} rows compared", seen.compared);
    // Without flags, the dump of every goroutine shows the goroutine type.
    let (ok, out, err) = run(&["top", fixture("goleak.goroutine.debug2.txt").to_str().unwrap()]);
    assert!(ok && out.starts_with("Type: goroutine\n"), "{err}{out}");
}

/// pprof's tag filters select goroutines by the dump's labels.
#[test]
fn tag_filters_select_goroutines_by_state_and_leak() {
    let dump = "goleak.goroutineleak.debug2.txt";
    let text = text(dump);
    let own = |top: &TopGolden| -> BTreeMap<i64, i64> {
        top.rows.iter().filter_map(|(k, r)| k.split_once("/goleak/main.go:").map(|(_, l)| (l.parse().unwrap(), r.cum))).collect()
    };
    // Every goroutine, focused on the leaked ones: the leak type's rows.
    let (_, focused) = top_lines(dump, &["--sample-index", "goroutine", "--tagfocus", "leaked=true"]);
    let (_, leaks) = top_lines(dump, &["--sample-index", "goroutineleak"]);
    assert_eq!(focused.rows, leaks.rows);
    // One state: only the send line, with every goroutine printed so.
    let (_, sends) = top_lines(dump, &["--sample-index", "goroutine", "--tagfocus", "state=chan send"]);
    let printed = headers(&text).iter().filter(|h| h.contains(" [chan send")).count() as i64;
    assert_eq!(own(&sends), BTreeMap::from([(marker_line("goleak", "send-blocks"), printed)]));
    // Ignoring the leaks leaves the idle goroutines.
    let (_, idle) = top_lines(dump, &["--sample-index", "goroutine", "--tagignore", "leaked=true"]);
    let idle_lines: BTreeSet<i64> = own(&idle).into_keys().collect();
    for marker in IDLE {
        assert!(idle_lines.contains(&marker_line("goleak", marker)), "{marker}: {idle_lines:?}");
    }
    for kind in LEAK_KINDS {
        assert!(!idle_lines.contains(&marker_line("goleak", &format!("{kind}-blocks"))), "{kind}");
    }
}

// ------------------------------------------------------------ crash logs

/// The crash fixture's goroutines: the marker where each blocks and the
/// one of its `go` statement.
const CRASHED: [(&str, Option<&str>); 7] = [
    ("receive-blocks", Some("receive-go")),
    ("send-blocks", Some("send-go")),
    ("lock-blocks", Some("lock-go")),
    ("select-blocks", Some("select-go")),
    ("sleep-blocks", Some("sleep-go")),
    ("nested-blocks", Some("nested-go")),
    ("panic", None),
];

/// The header of the goroutine whose block in `text` has a frame at
/// `main.go:line`, and the block.
fn block_at(text: &str, line: i64) -> (String, String) {
    let frame = format!("/crash/main.go:{line}");
    let blocks: Vec<&str> = text.split("\n\n").filter(|b| b.lines().any(|l| l.starts_with('\t') && l.contains(&format!("{frame} ")) || l.ends_with(&frame))).collect();
    assert_eq!(blocks.len(), 1, "one goroutine at {frame}");
    (blocks[0].lines().next().unwrap().to_string(), blocks[0].to_string())
}

#[test]
fn a_crash_log_decodes_with_states_and_creators_as_printed() {
    for name in ["crash.goroutines.txt", "crash.goroutines.system.txt"] {
        let text = text(name);
        assert!(text.starts_with("panic: "), "{name}");
        let p = load(name);
        let goroutines: i64 = p.iter_samples().map(|s| s.values[0]).sum();
        assert_eq!(goroutines, headers(&text).len() as i64, "{name}: every goroutine decodes");
        assert!(p.comments.is_empty(), "{name}: {:?}", p.comments);
        for (blocks, go) in CRASHED {
            let line = marker_line("crash", blocks);
            let (header, block) = block_at(&text, line);
            let samples: Vec<SampleRef> = p.iter_samples().filter(|s| passes(&p, s, "/crash/main.go", line)).collect();
            assert_eq!(samples.len(), 1, "{name} {blocks}");
            let s = &samples[0];
            let state = str_label(s, "state").unwrap();
            assert!(header.contains(&format!(" [{state}]")), "{name} {blocks}: state {state:?}, header {header:?}");
            assert_eq!(str_label(s, "leaked"), Some("false"));
            match go {
                Some(go) => {
                    let go_line = marker_line("crash", go);
                    let creator = enclosing_function("crash", go_line);
                    assert_eq!(str_label(s, "created_by"), Some(creator.as_str()), "{name} {blocks}");
                    assert!(str_label(s, "created_at").unwrap().ends_with(&format!("/crash/main.go:{go_line}")));
                    // The parent is the goroutine the block's `created by` line names.
                    let printed = block.lines().find_map(|l| l.strip_prefix(&format!("created by {creator} in goroutine "))).unwrap();
                    assert_eq!(num_label(s, "parent_goroutine"), Some(printed.parse().unwrap()), "{name} {blocks}");
                }
                None => assert_eq!(str_label(s, "created_by"), None, "{name}: the main goroutine has no creator"),
            }
        }
        // The labels set with pprof.Do, printed in the header, quoted where
        // Go quotes them.
        let (_, send) = block_at(&text, marker_line("crash", "send-blocks"));
        assert!(send.contains(r#"{job: report, "shard id": "2 of 4"}"#), "{send}");
        let s = p.iter_samples().find(|s| passes(&p, s, "/crash/main.go", marker_line("crash", "send-blocks"))).unwrap();
        assert_eq!((str_label(&s, "job"), str_label(&s, "shard id")), (Some("report"), Some("2 of 4")));
    }
}

/// With GOTRACEBACK=system the log adds runtime frames, the compiler's
/// wrappers of `go` statements (`main.main.gowrap1`) and the runtime's own
/// goroutines, and ends each stack with `runtime.goexit`, which the
/// protobuf form never has (the decoder drops it): the program's other
/// lines count the same as in the GOTRACEBACK=all log of the same program.
#[test]
fn a_system_crash_log_adds_runtime_frames_only() {
    let all = load("crash.goroutines.txt");
    let system = load("crash.goroutines.system.txt");
    let names = |p: &Profile| -> BTreeSet<String> { p.functions.iter().map(|f| f.name.clone()).collect() };
    assert!(!names(&all).contains("runtime.gopark") && names(&system).contains("runtime.gopark"));
    assert!(text("crash.goroutines.system.txt").contains("runtime.goexit("));
    let in_stacks: BTreeSet<&str> = system.iter_samples().flat_map(|s| s.locations.to_vec()).flat_map(|l| system.location(l).lines.iter().map(|line| system.function(line.function).name.as_str())).collect();
    assert!(!in_stacks.contains("runtime.goexit"));
    let runtime_goroutines = system.iter_samples().filter(|s| str_label(s, "created_by").is_some_and(|c| c.starts_with("runtime."))).count();
    assert!(runtime_goroutines > 0, "the runtime's goroutines are listed");
    let own = |p: &Profile| -> BTreeMap<Key, i64> {
        let wrapper = |k: &str| k.split(' ').next().unwrap().rsplit('.').next().unwrap().starts_with("gowrap");
        cum_by_line(p, "goroutine").into_iter().filter(|(k, _)| k.contains("/crash/main.go:") && !wrapper(k)).collect()
    };
    let own_all = own(&all);
    assert!(own_all.len() >= CRASHED.len());
    assert_eq!(own_all, own(&system));
}

// ------------------------------------------------------------ bad input

/// The goroutines a decoded prefix kept, and those its comments say were
/// dropped.
fn kept_and_dropped(p: &Profile) -> (i64, i64) {
    let kept = p.iter_samples().map(|s| s.values[0]).sum();
    let dropped = p
        .comments
        .iter()
        .filter_map(|c| c.strip_prefix("pprof-lsp: ")?.split_once(" goroutine")?.0.parse::<i64>().ok().filter(|_| c.contains(" dropped: ")))
        .sum();
    (kept, dropped)
}

#[test]
fn every_prefix_of_a_real_dump_decodes_or_errors_cleanly() {
    for name in ["goleak.goroutineleak.debug2.txt", "crash.goroutines.txt", "crash.goroutines.system.txt"] {
        let data = read(&fixture(name));
        let (mut decoded, mut refused) = (0, 0);
        for n in 1..=data.len() {
            let prefix = &data[..n];
            let started = headers(&String::from_utf8_lossy(prefix)).len() as i64;
            match decode(prefix, &DecodeOptions::default()) {
                Ok(p) => {
                    decoded += 1;
                    let (kept, dropped) = kept_and_dropped(&p);
                    assert!(kept > 0, "{name}, {n} bytes");
                    assert_eq!(kept + dropped, started, "{name}, {n} bytes: {:?}", p.comments);
                }
                Err(DecodeError::NotAProfile { seen: Seen::Text, .. }) => {
                    refused += 1;
                    assert_eq!(started, 0, "{name}, {n} bytes: a goroutine started, yet not a profile");
                }
                Err(DecodeError::Text { message, .. }) => {
                    refused += 1;
                    assert!(message.starts_with("no goroutine could be read"), "{name}, {n} bytes: {message}");
                }
                Err(e) => panic!("{name}, {n} bytes: {e}"),
            }
        }
        assert!(decoded > data.len() / 2, "{name}: {decoded} of {} prefixes decoded, {refused} refused", data.len());
    }
}

/// The bytes this thread has allocated and not freed, and the most it has
/// held since `PEAK` was last reset: the decoder runs on the calling
/// thread, so other tests running meanwhile do not count.
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// 10k and 100k goroutines at 500 places: decoding holds little more than
/// the profile it returns, which grows with the distinct stacks and labels
/// (about 400 bytes each), not with the goroutines, and is a small fraction
/// of the dump. The million-goroutine figures are in BENCHMARKS.md, from
/// `scripts/bench-goroutine-dump.sh`.
#[test]
fn a_dump_of_100k_goroutines_decodes_in_bounded_memory() {
    for goroutines in [10_000, 100_000] {
        let dump = generated::generate(&generated::Params { goroutines, sites: 500, seed: 7 });
        let live = LIVE.with(Cell::get);
        PEAK.with(|p| p.set(live));
        let started = Instant::now();
        let p = decode(&dump, &DecodeOptions::default()).unwrap();
        let took = started.elapsed();
        let (held, peak) = (LIVE.with(Cell::get) - live, PEAK.with(Cell::get) - live);
        let (kept, dropped) = kept_and_dropped(&p);
        assert_eq!((kept, dropped), (goroutines as i64, 0));
        let samples = p.samples.len() as isize;
        eprintln!(
            "{goroutines} goroutines, {:.1} MB: {samples} samples, profile {:.2} MB, peak {:.2} MB while decoding, {took:.0?}",
            dump.len() as f64 / 1e6,
            held as f64 / 1e6,
            peak as f64 / 1e6
        );
        assert!(samples < goroutines as isize / 5, "{samples} samples: equal goroutines are merged");
        assert!(held < 2048 * samples + (1 << 20), "{held} bytes for {samples} samples");
        assert!(peak <= 3 * held + (2 << 20), "decoding peaked at {peak} bytes for a profile of {held}");
        if goroutines == 100_000 {
            assert!(peak < dump.len() as isize / 10, "decoding peaked at {peak} bytes for a dump of {} bytes", dump.len());
        }
    }
}

/// A dump URL that answers with an HTML page (a login page, say) is
/// still called what it is, though the page mentions a goroutine.
#[test]
fn a_dump_url_answering_html_is_not_a_profile() {
    let html = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>goroutine 1 [running]:</body></html>\n";
    assert_eq!(decode(html.as_bytes(), &DecodeOptions::default()), Err(DecodeError::NotAProfile { seen: Seen::Html, gzip: false }));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        // Serves one request, or gives up after 20 s so the test cannot hang.
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut stream = loop {
            match listener.accept() {
                Ok((stream, _)) => break stream,
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => panic!("no request came: {e}"),
            }
        };
        stream.set_nonblocking(false).unwrap();
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request);
        let head = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", html.len());
        let _ = stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(html.as_bytes()));
    });
    let source = ProfileSource::parse(&format!("http://{addr}/debug/pprof/goroutine?debug=2"));
    let fetched = fetch(&source, 1 << 20, Duration::from_secs(10));
    server.join().unwrap();
    let err = fetched.expect_err("an HTML page is refused as it arrives");
    assert!(err.contains(": not a profile (an HTML page;") && err.ends_with("is it a /debug/pprof/<name> URL?"), "{err}");
}

// ------------------------------------------------------------ the live service

/// Seconds since the epoch, as a float.
fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

/// Sleeps until `fraction` of the way into the next whole second after
/// `after`, when goleak has finished that second's batch.
fn sleep_to_middle_of_second(after: f64, fraction: f64) {
    let target = after.floor() + 1.0 + fraction;
    std::thread::sleep(Duration::from_secs_f64((target - now()).max(0.0)));
}

/// Leaked goroutines at each leak's blocking line, from a live dump.
fn live_leaks(service: &Service) -> BTreeMap<&'static str, i64> {
    let addr = service.addr.parse().unwrap();
    let answer = common::http::exchange(addr, "GET", "/debug/pprof/goroutineleak?debug=2", &service.addr, &[], b"");
    assert_eq!(answer.status, 200);
    let p = decode(&answer.body, &DecodeOptions::default()).unwrap();
    let rows = cum_by_line(&p, "goroutineleak");
    for marker in IDLE {
        assert_eq!(marked(&rows, "goleak", marker), 0, "{marker} is reported leaked");
    }
    LEAK_KINDS.iter().map(|&k| (k, marked(&rows, "goleak", &format!("{k}-blocks")))).collect()
}

/// The real service (PPROF_GOLEAK_BIN): Go's detector, through both of
/// its text forms, reports the four kinds of leak at their lines and not
/// the idle goroutines, and each kind grows by `-rate` a second.
#[test]
fn the_live_service_leaks_at_its_known_rate() {
    let Some(bin) = common::live::goleak_bin() else { return };
    let rate = 4;
    let service = Service::start(&bin, &["-rate", &rate.to_string(), "-lifetime", "2m"]);
    let started = now();
    sleep_to_middle_of_second(started, 0.4);
    let first = live_leaks(&service);
    assert!(first.values().all(|&n| n > 0 && n % rate == 0), "{first:?}");

    // debug=1, the pprof text form, lists the same leaks.
    let addr = service.addr.parse().unwrap();
    let answer = common::http::exchange(addr, "GET", "/debug/pprof/goroutineleak?debug=1", &service.addr, &[], b"");
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    assert!(text.starts_with("goroutineleak profile: total "), "{text}");
    let listed: BTreeSet<String> = text.lines().filter_map(|l| l.split_once("\tmain.").map(|(_, f)| f.split('+').next().unwrap().to_string())).collect();
    let expected: BTreeSet<String> = ["sendForever", "receiveForever", "lockForever", "waitForever"].map(String::from).into();
    assert_eq!(listed, expected, "{text}");

    // Two seconds later: two more batches of each kind.
    let at = now();
    sleep_to_middle_of_second(at + 1.0, 0.4);
    let second = live_leaks(&service);
    for kind in LEAK_KINDS {
        assert_eq!(second[kind] - first[kind], 2 * rate, "{kind}: {first:?} then {second:?}");
    }
}
