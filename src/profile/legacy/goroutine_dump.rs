//! Goroutine dumps: what `/debug/pprof/goroutine?debug=2` and
//! `goroutineleak?debug=2` print (`runtime.Stack(buf, true)`), and the
//! goroutine section of a crash log or of SIGQUIT output, which use the
//! same format:
//!
//! ```text
//! (file lines start with a tab)
//! panic: boom                                   <- a crash log's opening text
//!
//! goroutine 18 [chan send (leaked), 4 minutes] {job: report}:
//! main.sendForever(...)                         <- inlined: args `...`, no `+0x`
//!     /src/main.go:71
//! main.worker(0xc000010000)
//!     /src/main.go:80 +0x45
//! created by main.leakOnce in goroutine 26      <- the `go` statement
//!     /src/main.go:93 +0x76
//! ```
//!
//! The profile (a contract the rest of the code relies on):
//!
//! * two sample types, in this order: `goroutine`/`count` (every goroutine)
//!   and `goroutineleak`/`count` (1 for a goroutine marked `(leaked)`, else
//!   0); the default is `goroutineleak` when some goroutine is marked
//!   leaked, else `goroutine`; period type `goroutine`/`count`, period 1;
//! * one goroutine is a count of 1; goroutines with the same stack and the
//!   same labels are merged into one sample of their count, as Go's own
//!   goroutine profile does, so memory grows with the distinct stacks and
//!   labels, not with the goroutines (the goroutine id is not kept);
//! * the stack is the printed frames, leaf first, without the `created by`
//!   frame. Function names lose their argument list and keep generic
//!   `[...]` as printed. A frame printed without a `+0x` offset is inlined
//!   (the runtime prints offsets for physical frames only) and shares a
//!   location with the frames after it, up to the next physical one, as in
//!   the protobuf form. A last `runtime.goexit` frame (printed with
//!   `GOTRACEBACK=system`) is dropped, as the protobuf form has none;
//! * labels: `state` (the status as printed, without the `(leaked)` and
//!   `(scan)` marks and the comma-separated extras), `leaked` (`true` or
//!   `false`), `wait_minutes` (numeric, unit `minutes`, when printed),
//!   `created_by` and `created_at` (the creator function and the
//!   `file:line` of its `go` statement, when a `created by` line is
//!   printed), `parent_goroutine` (numeric, no unit, as Go's own numeric
//!   labels: pprof then names the unit after the key; when `in goroutine N`
//!   is printed), then the pprof labels printed in the header's braces
//!   (`tracebacklabels`, on by default from Go 1.27) under their own keys.
//!   A program label that reuses one of these keys is kept after ours, as a
//!   second value of the key.
//!
//! Text before the first goroutine is allowed if the dump starts with one,
//! or with the first line of a Go crash (`panic: `, `fatal error: `,
//! `runtime: `, `SIGQUIT: `, `unexpected fault address`); the first
//! goroutine header must then start within the first 64 KiB. Lines between
//! goroutines are skipped. A goroutine that cannot be read whole (a frame
//! without its file line, a `created by` line without its `go` statement,
//! an unexpected line, the input ending mid-line, as a dump Go cut at 64
//! MiB does) is dropped, and the profile's comments say how many were
//! dropped and why; a dump of which no goroutine can be read is an error.
//! Runtime frames: `?debug=2` output never has them (`runtime.Stack`
//! forces the traceback level that hides unexported `runtime.` functions),
//! crash logs have them with `GOTRACEBACK=system` or higher.

use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHasher};

use super::builder::{Frame, ProfileBuilder};
use super::text::looks_like_text;
use super::Sniff;
use crate::profile::model::{FunctionIdx, Label, LabelValue, LocationIdx, Profile, ValueType};
use crate::profile::DecodeError;

const FORMAT: &str = "goroutine dump";

/// How far into the input the first goroutine header may start, when a
/// crash's opening text comes first (the shape check's sniff window).
const WINDOW: usize = 64 << 10;

/// The first lines of a Go crash, before its goroutines.
const CRASH_OPENERS: &[&str] = &["panic: ", "fatal error: ", "runtime: ", "unexpected fault address"];

/// Recognises a goroutine dump and decodes it.
pub(super) fn decode(data: &[u8]) -> Option<Result<Profile, DecodeError>> {
    if sniff(data, true) != Sniff::Mine {
        return None;
    }
    Some(parse(data))
}

/// Whether `s` (a whole line, or the start of one when `partial`) begins
/// a goroutine header: `goroutine N [` or `goroutine N gp=`.
fn header_start(s: &str, partial: bool) -> Sniff {
    const WORD: &str = "goroutine ";
    let maybe = if partial { Sniff::NeedMore } else { Sniff::NotMine };
    let Some(rest) = s.strip_prefix(WORD) else {
        return if WORD.starts_with(s) { maybe } else { Sniff::NotMine };
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let after = &rest[digits..];
    if digits == 0 {
        return if after.is_empty() { maybe } else { Sniff::NotMine };
    }
    for next in [" [", " gp="] {
        if after.starts_with(next) {
            return Sniff::Mine;
        }
        if next.starts_with(after) {
            return maybe;
        }
    }
    Sniff::NotMine
}

/// Whether `s` begins the first line of a Go crash: one of
/// [`CRASH_OPENERS`], or a signal's name such as `SIGQUIT: quit`.
fn crash_start(s: &str, partial: bool) -> Sniff {
    let maybe = if partial { Sniff::NeedMore } else { Sniff::NotMine };
    let mut answer = Sniff::NotMine;
    for opener in CRASH_OPENERS {
        if s.starts_with(opener) {
            return Sniff::Mine;
        }
        if opener.starts_with(s) {
            answer = maybe;
        }
    }
    if let Some(rest) = s.strip_prefix("SIG") {
        let name = rest.bytes().take_while(u8::is_ascii_uppercase).count();
        match &rest[name..] {
            after if name > 0 && after.starts_with(": ") => return Sniff::Mine,
            "" | ":" => return maybe,
            _ => {}
        }
    } else if "SIG".starts_with(s) {
        return maybe;
    }
    answer
}

/// [`decode`]'s test on a prefix. The first line with content decides: a
/// goroutine header is a dump; a crash's first line is one if a goroutine
/// header starts within the first [`WINDOW`] bytes; anything else is not.
/// Every line up to the header must be text.
pub(super) fn sniff(head: &[u8], complete: bool) -> Sniff {
    const BOM: &[u8] = b"\xef\xbb\xbf";
    if !complete && head.len() < BOM.len() && BOM.starts_with(head) {
        return Sniff::NeedMore;
    }
    let head = head.strip_prefix(BOM).unwrap_or(head);
    let window = &head[..head.len().min(WINDOW)];
    // The input's end is in view only when the window holds all of it.
    let ends = complete && window.len() == head.len();
    let mut crash = false;
    let mut start = 0;
    while start < window.len() || (start == 0 && ends) {
        let newline = window[start..].iter().position(|&b| b == b'\n');
        let end = newline.map_or(window.len(), |i| start + i);
        let bytes = &window[start..end];
        if !looks_like_text(bytes) {
            return Sniff::NotMine;
        }
        let partial = newline.is_none() && !ends;
        // As `parse` reads lines: invalid UTF-8 (or UTF-8 cut at the
        // window's edge) becomes replacement characters.
        let line = String::from_utf8_lossy(bytes);
        let line = line.trim_end_matches('\r');
        match (crash, header_start(line, partial)) {
            (_, Sniff::Mine) => return Sniff::Mine,
            (_, Sniff::NeedMore) => break,
            (true, Sniff::NotMine) => {}
            (false, Sniff::NotMine) if line.trim().is_empty() => {}
            (false, Sniff::NotMine) => match crash_start(line, partial) {
                Sniff::Mine => crash = true,
                Sniff::NeedMore => break,
                Sniff::NotMine => return Sniff::NotMine,
            },
        }
        if newline.is_none() {
            break;
        }
        start = end + 1;
    }
    if ends || window.len() >= WINDOW {
        Sniff::NotMine
    } else {
        Sniff::NeedMore
    }
}

/// Why a goroutine was dropped; the profile's comments count each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reason {
    Header,
    Frame,
    FileLine,
    CreatedBy,
    Unexpected,
    NoStack,
    Cut,
}

impl Reason {
    const ALL: [Reason; 7] =
        [Reason::Header, Reason::Frame, Reason::FileLine, Reason::CreatedBy, Reason::Unexpected, Reason::NoStack, Reason::Cut];

    fn reason(self) -> &'static str {
        match self {
            Reason::Header => "unreadable goroutine header",
            Reason::Frame => "truncated frame (a function line without its file line)",
            Reason::FileLine => "unreadable file:line",
            Reason::CreatedBy => "`created by` line without its file line",
            Reason::Unexpected => "unexpected line in a goroutine",
            Reason::NoStack => "goroutine header without a stack",
            Reason::Cut => "the input ends mid-line",
        }
    }
}

/// A count of events and the line of the first.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    count: u64,
    first_line: usize,
}

impl Tally {
    fn add(&mut self, line: usize) {
        if self.count == 0 {
            self.first_line = line;
        }
        self.count += 1;
    }
}

/// What follows in a goroutine's block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Frames, or the end of the stack.
    Frames,
    /// The file line of the function line read last (at that line).
    FrameFile(usize),
    /// The file line of the `created by` line (at that line).
    CreatorFile(usize),
    /// After the `created by` frame.
    Created,
    /// `[originating from goroutine N]:` tracebacks
    /// (`GODEBUG=tracebackancestors`), which are skipped.
    Ancestors,
}

/// One printed frame.
#[derive(Clone, Copy, Debug)]
struct PrintedFrame {
    function: FunctionIdx,
    line: i64,
    /// Printed without a `+0x` offset.
    inlined: bool,
}

/// The goroutine being read.
struct Goroutine {
    header_line: usize,
    /// `state`, `leaked` and `wait_minutes`; then come the creator's.
    labels: Vec<Label>,
    /// The labels printed in the header's braces, which come last.
    printed: Vec<Label>,
    leaked: bool,
    frames: Vec<PrintedFrame>,
    pending_function: Option<(u32, usize)>,
    creator: Option<(Arc<str>, Option<u64>)>,
    phase: Phase,
    unavailable: bool,
    elided: bool,
}

/// Strings shared by the labels and the function table.
#[derive(Default)]
struct Strings {
    ids: FxHashMap<Arc<str>, u32>,
    all: Vec<Arc<str>>,
}

impl Strings {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let shared: Arc<str> = s.into();
        let id = self.all.len() as u32;
        self.all.push(shared.clone());
        self.ids.insert(shared, id);
        id
    }

    fn get(&mut self, s: &str) -> Arc<str> {
        let id = self.id(s);
        self.all[id as usize].clone()
    }
}

/// The label keys of the contract, allocated once.
struct Keys {
    state: Arc<str>,
    leaked: Arc<str>,
    wait_minutes: Arc<str>,
    created_by: Arc<str>,
    created_at: Arc<str>,
    parent_goroutine: Arc<str>,
    minutes: Arc<str>,
    none: Arc<str>,
    yes: Arc<str>,
    no: Arc<str>,
}

struct Decoder {
    builder: ProfileBuilder,
    strings: Strings,
    keys: Keys,
    functions: FxHashMap<(u32, u32), FunctionIdx>,
    locations: FxHashMap<Vec<(FunctionIdx, i64)>, LocationIdx>,
    /// Samples by the hash of their stack and labels; `next` chains
    /// samples of equal hashes.
    merge: FxHashMap<u64, u32>,
    next: Vec<u32>,
    dropped: [Tally; Reason::ALL.len()],
    between: Tally,
    elided: u64,
    unavailable: u64,
    any_leaked: bool,
    kept: u64,
}

fn parse(data: &[u8]) -> Result<Profile, DecodeError> {
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    let profile = Profile {
        sample_types: vec![ValueType::new("goroutine", "count"), ValueType::new("goroutineleak", "count")],
        period_type: Some(ValueType::new("goroutine", "count")),
        period: 1,
        ..Default::default()
    };
    let mut strings = Strings::default();
    let mut key = |s: &str| strings.get(s);
    let keys = Keys {
        state: key("state"),
        leaked: key("leaked"),
        wait_minutes: key("wait_minutes"),
        created_by: key("created_by"),
        created_at: key("created_at"),
        parent_goroutine: key("parent_goroutine"),
        minutes: key("minutes"),
        none: key(""),
        yes: key("true"),
        no: key("false"),
    };
    let mut d = Decoder {
        builder: ProfileBuilder::new(profile),
        strings,
        keys,
        functions: FxHashMap::default(),
        locations: FxHashMap::default(),
        merge: FxHashMap::default(),
        next: Vec::new(),
        dropped: [Tally::default(); Reason::ALL.len()],
        between: Tally::default(),
        elided: 0,
        unavailable: 0,
        any_leaked: false,
        kept: 0,
    };

    let mut current: Option<Goroutine> = None;
    let mut seen_header = false;
    // After a dropped goroutine, the rest of its block is skipped.
    let mut skipping = false;
    let mut rest = data;
    let mut number = 0;
    while !rest.is_empty() {
        number += 1;
        let (bytes, terminated) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                let line = &rest[..i];
                rest = &rest[i + 1..];
                (line, true)
            }
            None => (std::mem::take(&mut rest), false),
        };
        let line: Cow<'_, str> = String::from_utf8_lossy(bytes);
        let line = line.trim_end_matches('\r');
        if header_start(line, false) == Sniff::Mine {
            seen_header = true;
            skipping = false;
            if let Some(g) = current.take() {
                d.finish(g);
            }
            match d.header(line, number) {
                Some(g) if terminated => current = Some(g),
                Some(_) => d.drop(Reason::Cut, number),
                None => {
                    d.drop(Reason::Header, number);
                    skipping = true;
                }
            }
            continue;
        }
        if !seen_header {
            continue;
        }
        if line.trim().is_empty() || is_exit_status(line) {
            if let Some(g) = current.take() {
                d.finish(g);
            }
            if !line.trim().is_empty() {
                d.between.add(number);
            }
            skipping = false;
            continue;
        }
        let Some(g) = current.as_mut() else {
            if !skipping {
                d.between.add(number);
            }
            continue;
        };
        let read = if terminated { d.line(g, line, number) } else { Err(Reason::Cut) };
        if let Err(why) = read {
            let at = match (why, g.phase) {
                (Reason::Frame, Phase::FrameFile(at)) | (Reason::CreatedBy, Phase::CreatorFile(at)) => at,
                _ => number,
            };
            d.drop(why, at);
            current = None;
            skipping = true;
        }
    }
    if let Some(g) = current.take() {
        d.finish(g);
    }
    d.into_profile()
}

/// `exit status 2`, which `go run` prints right after a crash's last
/// goroutine.
fn is_exit_status(line: &str) -> bool {
    line.strip_prefix("exit status ").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

impl Decoder {
    fn drop(&mut self, why: Reason, line: usize) {
        let i = Reason::ALL.iter().position(|&r| r == why).unwrap_or(0);
        self.dropped[i].add(line);
    }

    /// Reads a header line: `goroutine N[ gp=… m=…] [STATUS[, extras]][ {labels}]:`.
    fn header(&mut self, line: &str, number: usize) -> Option<Goroutine> {
        let rest = line.strip_prefix("goroutine ")?;
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        rest[..digits].parse::<u64>().ok()?;
        let rest = &rest[digits..];
        let open = rest.find(" [")?;
        let status_and_rest = &rest[open + 2..];
        let close = status_and_rest.find(']')?;
        let status = &status_and_rest[..close];
        let after = status_and_rest[close + 1..].strip_suffix(':')?;
        let printed_labels = match after {
            "" => Vec::new(),
            braces => parse_labels(braces.strip_prefix(" {")?.strip_suffix('}')?)?,
        };

        let mut parts = status.split(", ");
        let first = parts.next().unwrap_or("");
        let leaked = has_mark(first, "(leaked)");
        let state: String = first.split(' ').filter(|w| *w != "(leaked)" && *w != "(scan)").collect::<Vec<_>>().join(" ");
        let minutes = parts.find_map(|p| p.strip_suffix(" minutes").and_then(|n| n.parse::<i64>().ok()));

        let k = &self.keys;
        let mut labels = vec![
            Label { key: k.state.clone(), value: LabelValue::Str(self.strings.get(&state)) },
            Label { key: k.leaked.clone(), value: LabelValue::Str(if leaked { k.yes.clone() } else { k.no.clone() }) },
        ];
        if let Some(value) = minutes {
            labels.push(Label { key: k.wait_minutes.clone(), value: LabelValue::Num { value, unit: k.minutes.clone() } });
        }
        let printed: Vec<Label> = printed_labels
            .into_iter()
            .map(|(key, value)| Label { key: self.strings.get(&key), value: LabelValue::Str(self.strings.get(&value)) })
            .collect();
        Some(Goroutine {
            header_line: number,
            labels,
            printed,
            leaked,
            frames: Vec::new(),
            pending_function: None,
            creator: None,
            phase: Phase::Frames,
            unavailable: false,
            elided: false,
        })
    }

    /// Reads one line of a goroutine's block.
    fn line(&mut self, g: &mut Goroutine, line: &str, number: usize) -> Result<(), Reason> {
        match g.phase {
            Phase::FrameFile(_) => {
                if !line.starts_with('\t') {
                    return Err(Reason::Frame);
                }
                let (file, line, offset) = file_line(line).ok_or(Reason::FileLine)?;
                let (name, _) = g.pending_function.take().ok_or(Reason::Frame)?;
                let file = self.strings.id(file);
                let function = self.function(name, file);
                g.frames.push(PrintedFrame { function, line, inlined: !offset });
                g.phase = Phase::Frames;
            }
            Phase::CreatorFile(_) => {
                let (file, line, _) = file_line(line).ok_or(Reason::CreatedBy)?;
                let at = self.strings.get(&format!("{file}:{line}"));
                let (name, parent) = g.creator.take().ok_or(Reason::CreatedBy)?;
                let k = &self.keys;
                g.labels.extend([
                    Label { key: k.created_by.clone(), value: LabelValue::Str(name) },
                    Label { key: k.created_at.clone(), value: LabelValue::Str(at) },
                ]);
                if let Some(parent) = parent {
                    let value = i64::try_from(parent).map_err(|_| Reason::CreatedBy)?;
                    g.labels.push(Label { key: k.parent_goroutine.clone(), value: LabelValue::Num { value, unit: k.none.clone() } });
                }
                g.phase = Phase::Created;
            }
            Phase::Ancestors => {}
            Phase::Created => {
                if !line.starts_with("[originating from goroutine ") {
                    return Err(Reason::Unexpected);
                }
                g.phase = Phase::Ancestors;
            }
            Phase::Frames => {
                if let Some(tabbed) = line.strip_prefix('\t') {
                    if tabbed.trim() != "goroutine running on other thread; stack unavailable" {
                        return Err(Reason::Unexpected);
                    }
                    g.unavailable = true;
                } else if line.starts_with("...") && line.ends_with("...") {
                    g.elided = true;
                } else if let Some(creator) = line.strip_prefix("created by ") {
                    let (name, parent) = match creator.rsplit_once(" in goroutine ") {
                        Some((name, n)) => (name, Some(n.trim().parse::<u64>().map_err(|_| Reason::CreatedBy)?)),
                        None => (creator.trim_end(), None),
                    };
                    g.creator = Some((self.strings.get(name), parent));
                    g.phase = Phase::CreatorFile(number);
                } else if line.starts_with("[originating from goroutine ") {
                    g.phase = Phase::Ancestors;
                } else if line.starts_with("non-Go function at pc=") {
                    // A cgo frame without symbols: nothing to place.
                } else {
                    let name = function_name(line).ok_or(Reason::Unexpected)?;
                    g.pending_function = Some((self.strings.id(name), number));
                    g.phase = Phase::FrameFile(number);
                }
            }
        }
        Ok(())
    }

    fn function(&mut self, name: u32, file: u32) -> FunctionIdx {
        if let Some(&f) = self.functions.get(&(name, file)) {
            return f;
        }
        let (n, f) = (self.strings.all[name as usize].clone(), self.strings.all[file as usize].clone());
        let idx = self.builder.function(&n, &f);
        self.functions.insert((name, file), idx);
        idx
    }

    /// Ends a goroutine's block: keeps it, or drops it when it is not whole.
    fn finish(&mut self, mut g: Goroutine) {
        match g.phase {
            Phase::FrameFile(at) => return self.drop(Reason::Frame, at),
            Phase::CreatorFile(at) => return self.drop(Reason::CreatedBy, at),
            _ => {}
        }
        if g.frames.is_empty() && !g.unavailable {
            return self.drop(Reason::NoStack, g.header_line);
        }
        let profile = self.builder.profile();
        let goexit = g.frames.last().is_some_and(|f| profile.functions[f.function.get()].name == "runtime.goexit");
        if goexit {
            g.frames.pop();
        }
        self.elided += u64::from(g.elided);
        self.unavailable += u64::from(g.unavailable && g.frames.is_empty());
        self.any_leaked |= g.leaked;
        self.kept += 1;
        let stack = self.stack(&g.frames);
        g.labels.append(&mut g.printed);
        self.add(&stack, g.labels, i64::from(g.leaked));
    }

    /// Groups the frames into locations: inlined frames share the location
    /// of the physical frame printed after them.
    fn stack(&mut self, frames: &[PrintedFrame]) -> Vec<LocationIdx> {
        let mut stack = Vec::new();
        let mut group: Vec<(FunctionIdx, i64)> = Vec::new();
        for (i, f) in frames.iter().enumerate() {
            group.push((f.function, f.line));
            if !f.inlined || i + 1 == frames.len() {
                stack.push(self.location(&group));
                group.clear();
            }
        }
        stack
    }

    fn location(&mut self, lines: &[(FunctionIdx, i64)]) -> LocationIdx {
        if let Some(&l) = self.locations.get(lines) {
            return l;
        }
        let profile = self.builder.profile();
        let frames = lines
            .iter()
            .map(|&(f, line)| {
                let function = &profile.functions[f.get()];
                Frame { function: function.name.clone(), file: function.filename.clone(), line }
            })
            .collect();
        let idx = self.builder.symbolized(0, frames);
        self.locations.insert(lines.to_vec(), idx);
        idx
    }

    /// Adds one goroutine, into the sample of the same stack and labels if
    /// there is one.
    fn add(&mut self, stack: &[LocationIdx], labels: Vec<Label>, leaked: i64) {
        let mut h = FxHasher::default();
        stack.hash(&mut h);
        for l in &labels {
            l.key.hash(&mut h);
            match &l.value {
                LabelValue::Str(s) => s.hash(&mut h),
                LabelValue::Num { value, unit } => (value, unit).hash(&mut h),
            }
        }
        let hash = h.finish();
        let profile = self.builder.profile();
        let mut candidate = self.merge.get(&hash).copied();
        while let Some(i) = candidate {
            let s = profile.samples[i as usize];
            let same = &profile.sample_locations[s.locations.0 as usize..s.locations.1 as usize] == stack
                && profile.sample_labels[s.labels.0 as usize..s.labels.1 as usize] == labels[..];
            if same {
                let values = &mut profile.sample_values[s.values.0 as usize..s.values.1 as usize];
                values[0] += 1;
                values[1] += leaked;
                return;
            }
            candidate = (self.next[i as usize] != u32::MAX).then_some(self.next[i as usize]);
        }
        let index = profile.samples.len() as u32;
        let previous = self.merge.insert(hash, index);
        self.next.push(previous.unwrap_or(u32::MAX));
        profile.push_sample(stack, &[1, leaked], labels);
    }

    fn into_profile(mut self) -> Result<Profile, DecodeError> {
        let mut comments = Vec::new();
        let mut first_drop: Option<(Reason, Tally)> = None;
        for (why, tally) in Reason::ALL.iter().zip(self.dropped) {
            if tally.count > 0 {
                let s = if tally.count == 1 { "" } else { "s" };
                comments.push(format!(
                    "pprof-lsp: {} goroutine{s} dropped: {} at line {}",
                    tally.count,
                    why.reason(),
                    tally.first_line
                ));
                if first_drop.is_none_or(|(_, t)| tally.first_line < t.first_line) {
                    first_drop = Some((*why, tally));
                }
            }
        }
        if self.kept == 0 {
            let (line, message) = match first_drop {
                Some((why, t)) => (t.first_line, format!("no goroutine could be read: {}", why.reason())),
                None => (1, "no goroutine could be read".to_string()),
            };
            return Err(DecodeError::text(FORMAT, line, message));
        }
        if self.between.count > 0 {
            let s = if self.between.count == 1 { "" } else { "s" };
            comments.push(format!(
                "pprof-lsp: {} line{s} between goroutines ignored, the first at line {}",
                self.between.count, self.between.first_line
            ));
        }
        if self.elided > 0 {
            comments.push(format!(
                "pprof-lsp: {} goroutine stack{} printed with frames elided (`...N frames elided...`)",
                self.elided,
                if self.elided == 1 { "" } else { "s" }
            ));
        }
        if self.unavailable > 0 {
            comments.push(format!(
                "pprof-lsp: {} goroutine{} running on another thread without a stack",
                self.unavailable,
                if self.unavailable == 1 { "" } else { "s" }
            ));
        }
        let default = if self.any_leaked { "goroutineleak" } else { "goroutine" };
        let profile = self.builder.profile();
        profile.default_sample_type = Some(default.to_string());
        profile.comments = comments;
        Ok(self.builder.finish())
    }
}

/// Whether the words of `status` include `mark`.
fn has_mark(status: &str, mark: &str) -> bool {
    status.split(' ').any(|w| w == mark)
}

/// The function of a frame line: `pkg.(*T[...]).f(0x1, {…})` less its
/// argument list; a line without one (a symbolized cgo frame) is all name.
fn function_name(line: &str) -> Option<&str> {
    let line = line.trim_end();
    if !line.ends_with(')') {
        return (!line.is_empty() && !line.starts_with(char::is_whitespace)).then_some(line);
    }
    let mut depth = 0usize;
    for (i, b) in line.bytes().enumerate().rev() {
        match b {
            b')' => depth += 1,
            b'(' => {
                depth -= 1;
                if depth == 0 {
                    let name = &line[..i];
                    return (!name.is_empty()).then_some(name);
                }
            }
            _ => {}
        }
    }
    None
}

/// A frame's file line: `\tFILE:LINE[ +0xOFF][ fp=… sp=… pc=…]`; whether it
/// has an offset says whether the frame is a physical one.
fn file_line(line: &str) -> Option<(&str, i64, bool)> {
    let mut rest = line.strip_prefix('\t')?.trim_end();
    let mut offset = false;
    while let Some((head, last)) = rest.rsplit_once(' ') {
        let hex = |s: &str| s.strip_prefix("0x").is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()));
        let field = last.strip_prefix("+").map(|o| (true, o)).or_else(|| {
            ["fp=", "sp=", "pc="].iter().find_map(|p| last.strip_prefix(p)).map(|v| (false, v))
        });
        match field {
            Some((is_offset, value)) if hex(value) => {
                offset |= is_offset;
                rest = head;
            }
            _ => break,
        }
    }
    let (file, number) = rest.rsplit_once(':')?;
    if file.is_empty() || number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((file, number.parse().ok()?, offset))
}

/// The labels the runtime prints in braces: `k: v, "k 2": "v\t2"`. Keys and
/// values are bare when they hold only letters, digits, `.`, `/` and `_`,
/// else quoted with `\n`, `\r`, `\t`, `\\`, `\"`, `\xHH`, `\uHHHH` and
/// `\UHHHHHHHH` escapes.
fn parse_labels(text: &str) -> Option<Vec<(String, String)>> {
    let mut rest = text;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (key, after) = label_token(rest)?;
        let after = after.strip_prefix(": ")?;
        let (value, after) = label_token(after)?;
        out.push((key, value));
        rest = match after {
            "" => "",
            more => more.strip_prefix(", ")?,
        };
    }
    Some(out)
}

/// One key or value, and the text after it.
fn label_token(text: &str) -> Option<(String, &str)> {
    let Some(quoted) = text.strip_prefix('"') else {
        let end = text.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '_'))).unwrap_or(text.len());
        return (end > 0).then(|| (text[..end].to_string(), &text[end..]));
    };
    let mut out = String::new();
    let mut bytes: Vec<u8> = Vec::new();
    let mut chars = quoted.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                out.push_str(&String::from_utf8_lossy(&bytes));
                return Some((out, &quoted[i + 1..]));
            }
            '\\' => {
                let (_, e) = chars.next()?;
                let mut hex = |n: usize| -> Option<u32> {
                    let digits: String = (0..n).filter_map(|_| chars.next().map(|(_, c)| c)).collect();
                    (digits.len() == n).then(|| u32::from_str_radix(&digits, 16).ok()).flatten()
                };
                match e {
                    'x' => bytes.push(u8::try_from(hex(2)?).ok()?),
                    'u' | 'U' => {
                        let c = char::from_u32(hex(if e == 'u' { 4 } else { 8 })?).unwrap_or(char::REPLACEMENT_CHARACTER);
                        bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                    }
                    'n' => bytes.push(b'\n'),
                    'r' => bytes.push(b'\r'),
                    't' => bytes.push(b'\t'),
                    '\\' | '"' => bytes.push(e as u8),
                    _ => return None,
                }
            }
            c => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write;

    /// The decoded profile as text: the default type, one line per sample
    /// (values, frames leaf first with inlined frames joined by `+`, then
    /// labels), then the comments.
    fn render(p: &Profile) -> String {
        let mut out = format!("default {}\n", p.default_sample_type.as_deref().unwrap_or("-"));
        for s in p.iter_samples() {
            let frames: Vec<String> = s
                .locations
                .iter()
                .map(|&l| {
                    let lines: Vec<String> = p
                        .location(l)
                        .lines
                        .iter()
                        .map(|line| {
                            let f = p.function(line.function);
                            format!("{} {}:{}", f.name, f.filename, line.line)
                        })
                        .collect();
                    lines.join(" + ")
                })
                .collect();
            let labels: Vec<String> = s
                .labels
                .iter()
                .map(|l| match &l.value {
                    LabelValue::Str(v) => format!("{}={v}", l.key),
                    LabelValue::Num { value, unit } => format!("{}={value}{unit}", l.key),
                })
                .collect();
            let _ = writeln!(out, "{:?} [{}] {{{}}}", s.values, frames.join(" | "), labels.join(", "));
        }
        for c in &p.comments {
            let _ = writeln!(out, "# {c}");
        }
        out
    }

    /// Decodes `dump` (which must be claimed) and compares it with
    /// `expect`, or with the error's message.
    fn check(dump: &str, expect: &str) {
        let got = match decode(dump.as_bytes()).expect("the dump is claimed") {
            Ok(p) => render(&p),
            Err(e) => format!("error: {e}\n"),
        };
        assert_eq!(got.trim_end(), expect.trim(), "\n{got}");
    }

    #[test]
    fn a_leaked_goroutine_with_labels_and_its_creator() {
        check(
            "goroutine 18 [chan send (leaked), 4 minutes] {leak: send, \"shard id\": \"2\\tof 4\"}:\n\
             main.sendForever(...)\n\t/src/main.go:71\n\
             main.worker(0xc000010000, {0x1, 0x2})\n\t/src/main.go:80 +0x45\n\
             created by main.leakOnce in goroutine 26\n\t/src/main.go:93 +0x76\n",
            "default goroutineleak\n\
             [1, 1] [main.sendForever /src/main.go:71 + main.worker /src/main.go:80] \
             {state=chan send, leaked=true, wait_minutes=4minutes, created_by=main.leakOnce, \
             created_at=/src/main.go:93, parent_goroutine=26, leak=send, shard id=2\tof 4}",
        );
    }

    #[test]
    fn equal_goroutines_merge_and_the_default_follows_leaks() {
        let one = |id: u32, status: &str| {
            format!("goroutine {id} [{status}]:\nmain.f()\n\t/m.go:3 +0x1\ncreated by main.main in goroutine 1\n\t/m.go:9 +0x2\n\n")
        };
        let dump = [one(5, "select"), one(6, "select"), one(7, "select, 2 minutes"), one(8, "select (scan)")].concat();
        check(
            &dump,
            "default goroutine\n\
             [3, 0] [main.f /m.go:3] {state=select, leaked=false, created_by=main.main, created_at=/m.go:9, parent_goroutine=1}\n\
             [1, 0] [main.f /m.go:3] {state=select, leaked=false, wait_minutes=2minutes, created_by=main.main, created_at=/m.go:9, parent_goroutine=1}",
        );
    }

    #[test]
    fn crash_logs_system_frames_and_odd_paths() {
        check(
            "panic: boom [recovered]\n\tpanic: again\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1]\n\n\
             goroutine 1 gp=0xc000002380 m=0 mp=0x5a0 [running, locked to thread]:\n\
             panic({0x4a0, 0x5b0})\n\t/go/src/runtime/panic.go:878 +0x159 fp=0xc0 sp=0xc1 pc=0x47\n\
             main.(*Tree[...]).Insert(...)\n\tC:/work/my app/tree.go:12\n\
             main.main()\n\tC:/work/my app/main.go:30 +0x1c fp=0xc2 sp=0xc3 pc=0x48\n\
             runtime.goexit({})\n\t/go/src/runtime/asm_amd64.s:1700 +0x1 fp=0xc4 sp=0xc5 pc=0x49\n\n\
             goroutine 2 gp=0xc000002540 m=nil [force gc (idle), synctest bubble 3]:\n\
             runtime.gopark(0x0?, 0x0?)\n\t/go/src/runtime/proc.go:474 +0xca fp=0xc6 sp=0xc7 pc=0x50\n\
             created by runtime.init.7\n\t/go/src/runtime/proc.go:375 +0x1a\n\n\
             goroutine 3 [running]:\n\tgoroutine running on other thread; stack unavailable\n\
             created by main.main in goroutine 1\n\t/m.go:9 +0x2\n\
             exit status 2\n",
            "default goroutine\n\
             [1, 0] [panic /go/src/runtime/panic.go:878 | main.(*Tree[...]).Insert C:/work/my app/tree.go:12 + main.main C:/work/my app/main.go:30] {state=running, leaked=false}\n\
             [1, 0] [runtime.gopark /go/src/runtime/proc.go:474] {state=force gc (idle), leaked=false, created_by=runtime.init.7, created_at=/go/src/runtime/proc.go:375}\n\
             [1, 0] [] {state=running, leaked=false, created_by=main.main, created_at=/m.go:9, parent_goroutine=1}\n\
             # pprof-lsp: 1 line between goroutines ignored, the first at line 25\n\
             # pprof-lsp: 1 goroutine running on another thread without a stack",
        );
    }

    #[test]
    fn elided_frames_ancestors_and_cgo() {
        check(
            "goroutine 9 [chan receive]:\nmain.deep(...)\n\t/m.go:1\n...12 frames elided...\nmain.top()\n\t/m.go:2 +0x1\n\
             non-Go function at pc=0x7f00\n\
             created by main.main in goroutine 1\n\t/m.go:9 +0x2\n\
             [originating from goroutine 1]:\nmain.main(...)\n\t/m.go:8 +0x3\n\n\
             goroutine 10 [syscall]:\nC.sleep\n\t/usr/src/unistd.c:12 pc=0x7f01\nmain.cgo()\n\t/m.go:4 +0x9\n",
            "default goroutine\n\
             [1, 0] [main.deep /m.go:1 + main.top /m.go:2] {state=chan receive, leaked=false, created_by=main.main, created_at=/m.go:9, parent_goroutine=1}\n\
             [1, 0] [C.sleep /usr/src/unistd.c:12 + main.cgo /m.go:4] {state=syscall, leaked=false}\n\
             # pprof-lsp: 1 goroutine stack printed with frames elided (`...N frames elided...`)",
        );
    }

    #[test]
    fn goroutines_that_cannot_be_read_whole_are_dropped_and_counted() {
        let good = "goroutine 1 [select]:\nmain.f()\n\t/m.go:3 +0x1\n\n";
        check(
            &format!(
                "{good}goroutine 2 [select]:\nmain.f()\ngarbage\n\n\
                 goroutine 3 [select]:\nmain.f()\n\t/m.go:3 +0x1\ncreated by main.main in goroutine 1\n\n\
                 goroutine x [select]:\n\ngoroutine 4 [select:\nmain.f()\n\t/m.go:3\n\n\
                 goroutine 5 [select]:\nmain.f()\n\t/m.go:x +0x1\n\nnot a goroutine\n\n\
                 goroutine 6 [idle]:\n\ngoroutine 7 [select]:\nmain.f()\n\t/m.go:3 +0x1\n\tstray\n\n\
                 goroutine 8 [select]:\nmain.f()\n\t/m.go:3 +0x"
            ),
            "default goroutine\n\
             [1, 0] [main.f /m.go:3] {state=select, leaked=false}\n\
             # pprof-lsp: 1 goroutine dropped: unreadable goroutine header at line 16\n\
             # pprof-lsp: 1 goroutine dropped: truncated frame (a function line without its file line) at line 6\n\
             # pprof-lsp: 1 goroutine dropped: unreadable file:line at line 22\n\
             # pprof-lsp: 1 goroutine dropped: `created by` line without its file line at line 12\n\
             # pprof-lsp: 1 goroutine dropped: unexpected line in a goroutine at line 31\n\
             # pprof-lsp: 1 goroutine dropped: goroutine header without a stack at line 26\n\
             # pprof-lsp: 1 goroutine dropped: the input ends mid-line at line 35\n\
             # pprof-lsp: 2 lines between goroutines ignored, the first at line 14",
        );
    }

    #[test]
    fn a_dump_of_which_nothing_can_be_read_is_an_error() {
        check("goroutine 1 [running]:\nmain.main(", "error: goroutine dump profile, line 2: no goroutine could be read: the input ends mid-line");
        check("goroutine 1 [running]:\n", "error: goroutine dump profile, line 1: no goroutine could be read: goroutine header without a stack");
    }

    #[test]
    fn sniffing_decides_on_the_first_line_with_content() {
        let mine: &[&[u8]] = &[
            b"goroutine 1 [running]:\n",
            b"\n\ngoroutine 12 gp=0xc0 m=nil [idle]:\n",
            b"\xef\xbb\xbfgoroutine 1 [running]:\r\n",
            b"panic: boom\n\n[signal SIGSEGV]\n\ngoroutine 1 [running]:\n",
            b"SIGQUIT: quit\nPC=0x46 m=0 sigcode=0\n\ngoroutine 0 gp=0x5 m=0 [idle]:\n",
            b"fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:",
        ];
        let not_mine: &[&[u8]] = &[
            b"goroutine profile: total 3\n",
            b"2024/01/01 starting\npanic: boom\n\ngoroutine 1 [running]:\n",
            b"<!DOCTYPE html>\n<html>",
            b"panic: boom\n\n",
            b"goroutine 1 running\n",
            b"panic: boom\n\x00\x01\ngoroutine 1 [running]:\n",
        ];
        for data in mine {
            assert_eq!(sniff(data, true), Sniff::Mine, "{:?}", String::from_utf8_lossy(data));
            for n in 0..data.len() {
                assert_ne!(sniff(&data[..n], false), Sniff::NotMine, "first {n} bytes of {:?}", String::from_utf8_lossy(data));
            }
        }
        for data in not_mine {
            assert_eq!(sniff(data, true), Sniff::NotMine, "{:?}", String::from_utf8_lossy(data));
        }
        assert_eq!(sniff(b"gorou", false), Sniff::NeedMore);
        assert_eq!(sniff(b"panic: x\nmore text\n", false), Sniff::NeedMore);
        assert_eq!(sniff(b"<html>", false), Sniff::NotMine);
        // The header must start within the window.
        let mut late = b"panic: boom\n".to_vec();
        late.extend(b"x\n".repeat(WINDOW / 2));
        late.extend(b"goroutine 1 [running]:\nmain.main()\n\t/m.go:1 +0x1\n");
        assert_eq!(sniff(&late, true), Sniff::NotMine);
        assert_eq!(sniff(&late[..WINDOW], false), Sniff::NotMine);
    }

    #[test]
    fn frame_lines() {
        assert_eq!(function_name("net/http.(*conn).serve(0xc0, {0x1, 0x2})"), Some("net/http.(*conn).serve"));
        assert_eq!(function_name("main.Map[...](...)"), Some("main.Map[...]"));
        assert_eq!(function_name("main.f()"), Some("main.f"));
        assert_eq!(function_name("(0x1)"), None);
        assert_eq!(file_line("\t/a b/c.go:12 +0x1c fp=0x1 sp=0x2 pc=0x3"), Some(("/a b/c.go", 12, true)));
        assert_eq!(file_line("\tC:/x/y.go:7"), Some(("C:/x/y.go", 7, false)));
        assert_eq!(file_line("\t?:0 pc=0x7f"), Some(("?", 0, false)));
        assert_eq!(file_line("\t/x.go"), None);
        assert_eq!(file_line("/x.go:1"), None);
        assert_eq!(
            parse_labels(r#"a: b, "c d": "e\"f\x41\u00e9", g/h.i: "1""#),
            Some(vec![("a".into(), "b".into()), ("c d".into(), "e\"fAé".into()), ("g/h.i".into(), "1".into())])
        );
        assert_eq!(parse_labels("a b"), None);
        assert_eq!(parse_labels(r#""a: b"#), None);
    }
}
