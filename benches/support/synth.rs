//! A seeded, deterministic generator of large Go-like heap profiles.
//!
//! The generator first builds a synthetic "program": a few runtime and
//! standard-library functions that start goroutines, tens of thousands of
//! service functions spread over packages and files, and call sites inside
//! each function that call later functions (mostly nearby ones in the same
//! package, sometimes far away, rarely themselves or an earlier function).
//! Stacks are random walks through that call graph from a handful of entry
//! chains, so they share prefixes the way real stacks do; some end in
//! standard-library allocation helpers, and JSON decoding recurses.
//!
//! Everything comes from one splitmix64 stream, so the same parameters always
//! give byte-identical output.
//!
//! [`SHAPES`] names a few parameter sets that differ in the ways that change
//! how long a profile takes to read: stack depth, how many distinct lines
//! there are, how much is inlined, and how many sample types each sample
//! carries. `heap` is the default.
//!
//! Shared by `examples/gen_profile.rs` and `benches/decode_index.rs`.

#![allow(dead_code)]

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use flate2::{write::GzEncoder, Compression};
use pprof_lsp::profile::{
    Function, FunctionIdx, Label, LabelValue, Line, Location, LocationIdx, Mapping, MappingIdx, Profile,
    ValueType,
};

/// What to generate.
#[derive(Clone, Debug)]
pub struct Params {
    pub seed: u64,
    /// Distinct stacks (Go writes one sample per distinct heap stack).
    pub samples: usize,
    /// Approximate number of functions.
    pub functions: usize,
    /// Approximate number of locations.
    pub locations: usize,
    /// Share of user locations that carry inlined frames, in percent.
    pub inline_percent: u32,
    /// Most frames inlined into one location (at least 1).
    pub max_inlined: u64,
    pub min_depth: usize,
    pub max_depth: usize,
    /// The sample types, their values and labels.
    pub kind: Kind,
    /// Share of call sites that allocate (end a stack) rather than call.
    pub leaf_sites: f64,
    /// A near call jumps at most this many functions ahead.
    pub near_jump: u64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            seed: 0x5eed_0f9a_110c,
            samples: 1_000_000,
            functions: 50_000,
            locations: 200_000,
            inline_percent: 10,
            max_inlined: 2,
            min_depth: 5,
            max_depth: 60,
            kind: Kind::Heap,
            leaf_sites: 0.2,
            near_jump: 40,
        }
    }
}

/// Which profile the samples are of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `goroutine/count`: one type, no labels.
    Goroutine,
    /// `samples/count`, `cpu/nanoseconds`: two types, no labels.
    Cpu,
    /// Go's heap profile: four types and a `bytes` label per sample.
    Heap,
    /// The heap's four types plus `free_objects/count` and
    /// `free_space/bytes` (what was allocated and is no longer in use),
    /// with the `bytes` label: six types.
    Six,
}

impl Kind {
    pub fn sample_types(self) -> usize {
        match self {
            Kind::Goroutine => 1,
            Kind::Cpu => 2,
            Kind::Heap => 4,
            Kind::Six => 6,
        }
    }
}

/// The named shapes, with what sets each apart.
pub const SHAPES: &[(&str, &str)] = &[
    ("heap", "depth 5-60, 50k functions, 200k locations, 10% inlined, 4 types (the default)"),
    ("deep", "depth 40-128, 8k functions, 30k locations, 40% inlined (up to 3), 2 types (CPU)"),
    ("shallow", "depth 3-12, 100k functions, 400k locations, nothing inlined, 1 type (goroutine)"),
    ("wide", "depth 10-40, 100k functions, 400k locations, 30% inlined (up to 3), 6 types"),
];

impl Params {
    /// The parameters of a named shape (see [`SHAPES`]) for `samples`.
    pub fn shape(name: &str, samples: usize) -> Option<Params> {
        let base = Params { samples, ..Params::default() };
        Some(match name {
            "heap" => base,
            "deep" => Params {
                functions: 8_000,
                locations: 30_000,
                inline_percent: 40,
                max_inlined: 3,
                min_depth: 40,
                max_depth: 128,
                kind: Kind::Cpu,
                leaf_sites: 0.05,
                near_jump: 8,
                ..base
            },
            "shallow" => Params {
                functions: 100_000,
                locations: 400_000,
                inline_percent: 0,
                min_depth: 3,
                max_depth: 12,
                kind: Kind::Goroutine,
                ..base
            },
            "wide" => Params {
                functions: 100_000,
                locations: 400_000,
                inline_percent: 30,
                max_inlined: 3,
                min_depth: 10,
                max_depth: 40,
                kind: Kind::Six,
                ..base
            },
            _ => return None,
        })
    }
}

/// splitmix64: tiny, fast, and good enough for synthetic data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Pareto with scale 1 and shape `alpha`: most draws near 1, a few huge.
    pub fn pareto(&mut self, alpha: f64) -> f64 {
        1.0 / (1.0 - self.unit()).powf(1.0 / alpha)
    }

    /// Index into `cumulative` (a running sum of weights) chosen by weight.
    pub fn weighted(&mut self, cumulative: &[f64]) -> usize {
        let total = *cumulative.last().expect("non-empty weights");
        let x = self.unit() * total;
        cumulative.partition_point(|&c| c <= x).min(cumulative.len() - 1)
    }
}

const GOROOT: &str = "/usr/local/go/src";
const MODCACHE: &str = "/home/build/go/pkg/mod";
const SRC: &str = "/home/build/src/github.com/acme";

/// A standard-library or framework function with fixed call-site lines.
struct Std {
    name: &'static str,
    file: &'static str,
    start_line: i64,
    lines: &'static [i64],
}

macro_rules! std_fn {
    ($name:expr, $file:expr, $start:expr, [$($l:expr),*]) => {
        Std { name: $name, file: $file, start_line: $start, lines: &[$($l),*] }
    };
}

/// Files are relative to GOROOT unless they start with `@mod/` (module
/// cache) or `@src/` (the service repository).
const STD: &[Std] = &[
    // 0..: goroutine entry chains
    std_fn!("runtime.goexit", "runtime/asm_amd64.s", 1699, [1700]),
    std_fn!("runtime.main", "runtime/proc.go", 144, [283]),
    std_fn!("main.main", "@src/cmd/server/main.go", 21, [57, 64, 71]),
    std_fn!("net/http.(*conn).serve", "net/http/server.go", 1900, [2092]),
    std_fn!("net/http.serverHandler.ServeHTTP", "net/http/server.go", 3285, [3301]),
    std_fn!("net/http.(*ServeMux).ServeHTTP", "net/http/server.go", 2735, [2747]),
    std_fn!("net/http.HandlerFunc.ServeHTTP", "net/http/server.go", 2219, [2220]),
    std_fn!("google.golang.org/grpc.(*Server).serveStreams.func2.1", "@mod/google.golang.org/grpc@v1.64.0/server.go", 1027, [1029]),
    std_fn!("google.golang.org/grpc.(*Server).handleStream", "@mod/google.golang.org/grpc@v1.64.0/server.go", 1660, [1737]),
    std_fn!("google.golang.org/grpc.(*Server).processUnaryRPC", "@mod/google.golang.org/grpc@v1.64.0/server.go", 1200, [1379]),
    std_fn!("golang.org/x/sync/errgroup.(*Group).Go.func1", "@mod/golang.org/x/sync@v0.7.0/errgroup/errgroup.go", 75, [78]),
    // 11..: allocation helpers that stacks end in
    std_fn!("fmt.Sprintf", "fmt/print.go", 237, [239, 240]),
    std_fn!("bytes.(*Buffer).WriteString", "bytes/buffer.go", 175, [180]),
    std_fn!("bytes.(*Buffer).grow", "bytes/buffer.go", 121, [151]),
    std_fn!("bytes.growSlice", "bytes/buffer.go", 232, [249]),
    std_fn!("strings.(*Builder).WriteString", "strings/builder.go", 106, [108]),
    std_fn!("strings.(*Builder).grow", "strings/builder.go", 80, [82]),
    std_fn!("encoding/json.Unmarshal", "encoding/json/decode.go", 97, [106]),
    std_fn!("encoding/json.(*decodeState).unmarshal", "encoding/json/decode.go", 171, [180]),
    std_fn!("encoding/json.(*decodeState).value", "encoding/json/decode.go", 357, [374, 380]),
    std_fn!("encoding/json.(*decodeState).object", "encoding/json/decode.go", 592, [646, 706, 773]),
    std_fn!("encoding/json.(*decodeState).array", "encoding/json/decode.go", 509, [553]),
    std_fn!("encoding/json.(*decodeState).literalStore", "encoding/json/decode.go", 846, [958]),
    std_fn!("encoding/json.Marshal", "encoding/json/encode.go", 161, [172]),
    std_fn!("io.ReadAll", "io/io.go", 699, [712]),
    std_fn!("bufio.NewReaderSize", "bufio/bufio.go", 46, [57]),
    std_fn!("strconv.Quote", "strconv/quote.go", 120, [121]),
    std_fn!("google.golang.org/protobuf/proto.UnmarshalOptions.unmarshal", "@mod/google.golang.org/protobuf@v1.34.1/proto/decode.go", 79, [106]),
    std_fn!("google.golang.org/protobuf/internal/impl.consumeStringSliceValidateUTF8", "@mod/google.golang.org/protobuf@v1.34.1/internal/impl/codec_gen.go", 5436, [5449]),
];

// Positions in STD used by the entry and leaf chains below.
const GOEXIT: usize = 0;
const RUNTIME_MAIN: usize = 1;
const MAIN_MAIN: usize = 2;
const JSON_VALUE: usize = 19;
const JSON_OBJECT: usize = 20;
const JSON_ARRAY: usize = 21;

/// Goroutine entry chains, root first, with weights.
const ENTRY_CHAINS: &[(&[usize], f64)] = &[
    (&[GOEXIT, 3, 4, 5, 6], 5.0),
    (&[GOEXIT, 7, 8, 9], 3.0),
    (&[GOEXIT, RUNTIME_MAIN, MAIN_MAIN], 1.0),
    (&[GOEXIT, 10], 1.5),
];

/// Allocation helper chains, outermost first, with weights. A chain that
/// goes through JSON decoding may nest value/object/array frames.
const LEAF_CHAINS: &[(&[usize], f64)] = &[
    (&[11], 4.0),
    (&[12, 13, 14], 3.0),
    (&[15, 16], 2.0),
    (&[17, 18, JSON_VALUE, JSON_OBJECT, 22], 2.5),
    (&[23], 1.5),
    (&[24], 1.0),
    (&[25], 0.5),
    (&[26], 0.5),
    (&[27, 28], 1.5),
];

fn std_file(file: &str) -> String {
    if let Some(rest) = file.strip_prefix("@mod/") {
        format!("{MODCACHE}/{rest}")
    } else if let Some(rest) = file.strip_prefix("@src/") {
        format!("{SRC}/{rest}")
    } else {
        format!("{GOROOT}/{file}")
    }
}

/// One function of the synthetic program.
struct Func {
    /// This function's call sites: a range of location indices.
    sites: std::ops::Range<usize>,
    /// For each site, the function it calls, if any.
    callees: Vec<Option<u32>>,
    /// Running sums of site weights over all sites (to pick a leaf PC) and
    /// over calling sites only (to keep walking).
    all_cum: Vec<f64>,
    call_cum: Vec<f64>,
    call_sites: Vec<u32>,
}

struct Program {
    profile: Profile,
    funcs: Vec<Func>,
    /// First user (service) function.
    user_start: usize,
    /// Location of each STD function's call sites.
    std_sites: Vec<Vec<usize>>,
    /// Locations with no symbols in the libc mapping.
    bare: Vec<usize>,
}

fn build_program(p: &Params, rng: &mut Rng) -> Program {
    let heap = || {
        vec![
            ValueType::new("alloc_objects", "count"),
            ValueType::new("alloc_space", "bytes"),
            ValueType::new("inuse_objects", "count"),
            ValueType::new("inuse_space", "bytes"),
        ]
    };
    let (sample_types, period_type, period) = match p.kind {
        Kind::Goroutine => (vec![ValueType::new("goroutine", "count")], ValueType::new("goroutine", "count"), 1),
        Kind::Cpu => (
            vec![ValueType::new("samples", "count"), ValueType::new("cpu", "nanoseconds")],
            ValueType::new("cpu", "nanoseconds"),
            10_000_000,
        ),
        Kind::Heap => (heap(), ValueType::new("space", "bytes"), 512 * 1024),
        Kind::Six => {
            let mut types = heap();
            types.push(ValueType::new("free_objects", "count"));
            types.push(ValueType::new("free_space", "bytes"));
            (types, ValueType::new("space", "bytes"), 512 * 1024)
        }
    };
    let mut profile = Profile {
        sample_types,
        period_type: Some(period_type),
        period,
        time_nanos: 1_767_225_600_000_000_000,
        ..Default::default()
    };
    let hex = |rng: &mut Rng| format!("{:016x}{:016x}{:08x}", rng.next_u64(), rng.next_u64(), rng.next_u64() as u32);
    profile.mappings = vec![
        Mapping {
            id: 1,
            memory_start: 0x40_0000,
            memory_limit: 0x40_0000 + 0x1000_0000,
            file_offset: 0,
            filename: "/home/build/bin/server".into(),
            build_id: hex(rng),
            has_functions: true,
            has_filenames: true,
            has_line_numbers: true,
            has_inline_frames: true,
        },
        Mapping {
            id: 2,
            memory_start: 0x7f3a_1c00_0000,
            memory_limit: 0x7f3a_1c1d_5000,
            file_offset: 0x2_8000,
            filename: "/usr/lib/x86_64-linux-gnu/libc.so.6".into(),
            build_id: hex(rng),
            ..Default::default()
        },
        Mapping {
            id: 3,
            memory_start: 0x7ffd_4c3f_e000,
            memory_limit: 0x7ffd_4c40_0000,
            filename: "[vdso]".into(),
            ..Default::default()
        },
    ];
    let main_map = Some(MappingIdx(0));
    let mut next_addr: u64 = 0x40_1000;

    // Standard-library functions: fixed names, lines and call sites.
    let mut funcs = Vec::new();
    let mut std_sites = Vec::new();
    for s in STD {
        let f = FunctionIdx(profile.functions.len() as u32);
        profile.functions.push(Function {
            id: f.0 as u64 + 1,
            name: s.name.into(),
            system_name: s.name.into(),
            filename: std_file(s.file),
            start_line: s.start_line,
        });
        let first = profile.locations.len();
        for &line in s.lines {
            next_addr += rng.range(8, 200) & !3;
            profile.locations.push(Location {
                id: profile.locations.len() as u64 + 1,
                mapping: main_map,
                address: next_addr,
                lines: vec![Line { function: f, line, column: 0 }],
                is_folded: false,
            });
        }
        std_sites.push((first..profile.locations.len()).collect::<Vec<_>>());
        funcs.push(Func {
            sites: first..profile.locations.len(),
            callees: vec![None; s.lines.len()],
            all_cum: Vec::new(),
            call_cum: Vec::new(),
            call_sites: Vec::new(),
        });
    }
    let user_start = profile.functions.len();
    let n_user = p.functions.saturating_sub(user_start).max(64);
    let bare_count = 128.min(p.locations / 100);
    let user_locations = p.locations.saturating_sub(profile.locations.len() + bare_count).max(n_user);
    let mean_sites = user_locations as f64 / n_user as f64;

    // Service functions: services contain packages, packages contain files,
    // files contain functions at increasing lines.
    let mut bodies: Vec<(i64, i64)> = Vec::with_capacity(n_user);
    let (mut svc, mut pkg) = (0u32, 0u32);
    let mut made = 0;
    while made < n_user {
        let pkg_path = match rng.below(10) {
            0..=6 => format!("github.com/acme/svc{svc:02}/internal/pkg{pkg:02}"),
            7 | 8 => format!("github.com/acme/svc{svc:02}/pkg/pkg{pkg:02}"),
            _ => format!("github.com/acme/svc{svc:02}/internal/pkg{pkg:02}/v2"),
        };
        let in_pkg = (rng.range(20, 80) as usize).min(n_user - made);
        let n_files = rng.range(1, 8) as usize;
        let n_types = rng.range(1, 8);
        let mut next_line = vec![rng.range(10, 40) as i64; n_files];
        for k in 0..in_pkg {
            let file_no = rng.below(n_files as u64) as usize;
            let filename = format!("/home/build/src/{pkg_path}/file{file_no:02}.go");
            let ty = rng.below(n_types);
            let name = match rng.below(20) {
                0..=9 => format!("{pkg_path}.(*Type{ty:02}).Method{k:02}"),
                10..=12 => format!("{pkg_path}.Type{ty:02}.Method{k:02}"),
                13..=17 => format!("{pkg_path}.Func{k:02}"),
                18 => format!("{pkg_path}.Func{k:02}.func{}", rng.range(1, 4)),
                _ => format!("{pkg_path}.(*Type{ty:02}).Method{k:02}.func{}", rng.range(1, 3)),
            };
            let start_line = next_line[file_no] + rng.range(2, 12) as i64;
            let body = rng.range(4, 120) as i64;
            next_line[file_no] = start_line + body;
            bodies.push((start_line, body));
            profile.functions.push(Function {
                id: profile.functions.len() as u64 + 1,
                system_name: name.clone(),
                name,
                filename,
                start_line,
            });
            made += 1;
        }
        pkg += 1;
        if pkg == 48 || rng.chance(0.03) {
            svc += 1;
            pkg = 0;
        }
    }

    // Call sites of service functions.
    let n_funcs = profile.functions.len();
    let far = (n_user / 15).max(2) as u64;
    for i in user_start..n_funcs {
        let (start_line, body) = bodies[i - user_start];
        let max_sites = (2.0 * mean_sites - 1.0).max(1.0).round() as u64;
        let n_sites = rng.range(1, max_sites) as usize;
        let first = profile.locations.len();
        let mut callees = Vec::with_capacity(n_sites);
        let mut weights = Vec::with_capacity(n_sites);
        let recursive_site = if rng.chance(0.04) { Some(rng.below(n_sites as u64) as usize) } else { None };
        let mut lines: Vec<i64> = (0..n_sites).map(|_| start_line + 1 + rng.below(body as u64) as i64).collect();
        lines.sort_unstable();
        for (s, &line) in lines.iter().enumerate() {
            let callee = if recursive_site == Some(s) {
                Some(i as u32)
            } else if rng.chance(p.leaf_sites) {
                None // allocates right here
            } else if rng.chance(0.015) && i > user_start + 32 {
                Some((i - rng.range(1, 30) as usize) as u32) // calls back up: mutual recursion
            } else {
                let jump = if rng.chance(0.55) { rng.range(1, p.near_jump) } else { rng.range(1, far) };
                let c = i + jump as usize;
                (c < n_funcs).then_some(c as u32)
            };
            callees.push(callee);
            weights.push(rng.pareto(1.16) * if recursive_site == Some(s) { 0.5 } else { 1.0 });

            // `inline_percent` of user locations carry inlined frames.
            let mut frames = Vec::with_capacity(p.max_inlined as usize + 1);
            if rng.below(100) < p.inline_percent as u64 {
                let inlined = rng.range(1, p.max_inlined.max(1));
                for _ in 0..inlined {
                    let callee = (i + rng.range(1, 25) as usize).min(n_funcs - 1);
                    let (s2, b2) = bodies[callee - user_start];
                    frames.push(Line { function: FunctionIdx(callee as u32), line: s2 + 1 + rng.below(b2 as u64) as i64, column: 0 });
                }
            }
            frames.push(Line { function: FunctionIdx(i as u32), line, column: 0 });
            next_addr += rng.range(8, 300) & !3;
            profile.locations.push(Location {
                id: profile.locations.len() as u64 + 1,
                mapping: main_map,
                address: next_addr,
                lines: frames,
                is_folded: false,
            });
        }
        let mut all_cum = Vec::with_capacity(n_sites);
        let mut call_cum = Vec::new();
        let mut call_sites = Vec::new();
        let (mut a, mut c) = (0.0, 0.0);
        for (s, w) in weights.iter().enumerate() {
            a += w;
            all_cum.push(a);
            if callees[s].is_some() {
                c += w;
                call_cum.push(c);
                call_sites.push(s as u32);
            }
        }
        funcs.push(Func { sites: first..profile.locations.len(), callees, all_cum, call_cum, call_sites });
    }

    // A few unsymbolized libc frames, as cgo programs show.
    let mut bare = Vec::new();
    let mut libc_addr = 0x7f3a_1c02_8000u64;
    for _ in 0..bare_count {
        libc_addr += rng.range(16, 4096);
        bare.push(profile.locations.len());
        profile.locations.push(Location {
            id: profile.locations.len() as u64 + 1,
            mapping: Some(MappingIdx(1)),
            address: libc_addr,
            lines: vec![],
            is_folded: false,
        });
    }
    profile.mappings[0].memory_limit = (next_addr + 0xfff) & !0xfff;
    Program { profile, funcs, user_start, std_sites, bare }
}

/// Draws a stack depth in `min..=max`, bell-shaped around the middle third.
fn target_depth(p: &Params, rng: &mut Rng) -> usize {
    let u = (rng.unit() + rng.unit() + rng.unit()) / 3.0;
    let skewed = u * u.sqrt(); // pull towards shallower stacks
    p.min_depth + (skewed * (p.max_depth - p.min_depth) as f64).round() as usize
}

/// Walks one stack, root first, into `out` (cleared first).
fn walk(prog: &Program, p: &Params, rng: &mut Rng, entry_cum: &[f64], leaf_cum: &[f64], out: &mut Vec<usize>) {
    out.clear();
    let target = target_depth(p, rng);
    let chain = ENTRY_CHAINS[rng.weighted(entry_cum)].0;
    for &f in chain {
        let sites = &prog.std_sites[f];
        out.push(sites[rng.below(sites.len() as u64) as usize]);
    }

    // The leaf helper chain, decided up front so the total stays in range.
    let mut leaf: Vec<usize> = Vec::new();
    if rng.chance(0.4) {
        for &f in LEAF_CHAINS[rng.weighted(leaf_cum)].0 {
            if f == JSON_OBJECT {
                // Nested documents: value → object/array → value → ...
                for _ in 0..rng.range(0, 3) {
                    let inner = if rng.chance(0.7) { JSON_OBJECT } else { JSON_ARRAY };
                    let sites = &prog.std_sites[inner];
                    leaf.push(sites[rng.below(sites.len() as u64) as usize]);
                    let sites = &prog.std_sites[JSON_VALUE];
                    leaf.push(sites[rng.below(sites.len() as u64) as usize]);
                }
            }
            let sites = &prog.std_sites[f];
            leaf.push(sites[rng.below(sites.len() as u64) as usize]);
        }
    } else if rng.chance(0.005) {
        leaf.push(prog.bare[rng.below(prog.bare.len() as u64) as usize]);
    }
    let user_frames = target.saturating_sub(out.len() + leaf.len()).max(1);

    // Entry points: the first tenth of service functions, skewed.
    let entries = ((prog.funcs.len() - prog.user_start) / 10).max(1) as f64;
    let mut cur = prog.user_start + (entries * rng.unit().powi(3)) as usize;
    for step in 0..user_frames {
        let f = &prog.funcs[cur];
        let last = step + 1 == user_frames;
        if last || f.call_cum.is_empty() {
            out.push(f.sites.start + rng.weighted(&f.all_cum));
            break;
        }
        let s = f.call_sites[rng.weighted(&f.call_cum)] as usize;
        out.push(f.sites.start + s);
        cur = f.callees[s].expect("calling site") as usize;
    }
    out.extend_from_slice(&leaf);
}

fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    weights
        .scan(0.0, |acc, w| {
            *acc += w;
            Some(*acc)
        })
        .collect()
}

/// Object sizes as Go's size classes hand them out, small ones most often.
const SIZE_CLASSES: &[i64] = &[
    8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416, 448,
    480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096,
    4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072,
    20480, 21760, 24576, 27264, 28672, 32768,
];

/// One sample's values of `kind`, and its `bytes` label (heap kinds only).
fn sample_values(rng: &mut Rng, kind: Kind, period: i64) -> (Vec<i64>, Option<i64>) {
    match kind {
        Kind::Goroutine => return (vec![rng.pareto(1.5).min(1e4).floor() as i64], None),
        Kind::Cpu => {
            let samples = rng.pareto(1.1).min(1e6).floor() as i64;
            return (vec![samples, samples * period], None);
        }
        Kind::Heap | Kind::Six => {}
    }
    let (mut values, size) = heap_values(rng, period);
    if kind == Kind::Six {
        values.push(values[0] - values[2]);
        values.push(values[1] - values[3]);
    }
    (values, Some(size))
}

fn heap_values(rng: &mut Rng, period: i64) -> (Vec<i64>, i64) {
    let size = if rng.chance(0.02) {
        // Large objects: whole pages.
        8192 * rng.range(5, 512) as i64
    } else {
        let u = rng.unit();
        SIZE_CLASSES[((u * u * u) * SIZE_CLASSES.len() as f64) as usize]
    };
    // Go scales sampled counts by 1/(1-exp(-size/rate)); skewed counts here.
    let scale = 1.0 / (1.0 - (-(size as f64) / period as f64).exp());
    let sampled = rng.pareto(1.3).min(1e5).floor().max(1.0);
    let alloc_objects = (sampled * scale).round() as i64;
    let alloc_space = alloc_objects * size;
    let inuse_objects = if rng.chance(0.6) { 0 } else { (alloc_objects as f64 * rng.unit()).round() as i64 };
    (vec![alloc_objects, alloc_space, inuse_objects, inuse_objects * size], size)
}

/// Generates the profile. Same parameters, same profile.
pub fn generate(p: &Params) -> Profile {
    let mut rng = Rng::new(p.seed);
    let mut prog = build_program(p, &mut rng);
    let entry_cum = cumulative(ENTRY_CHAINS.iter().map(|c| c.1));
    let leaf_cum = cumulative(LEAF_CHAINS.iter().map(|c| c.1));

    let bytes_key: std::sync::Arc<str> = "bytes".into();
    let no_unit: std::sync::Arc<str> = "".into();
    let mut seen: HashSet<u64> = HashSet::with_capacity(p.samples);
    let mut stack = Vec::with_capacity(p.max_depth + 8);
    let mut attempts = 0usize;
    while prog.profile.samples.len() < p.samples && attempts < p.samples.saturating_mul(20).max(1000) {
        attempts += 1;
        walk(&prog, p, &mut rng, &entry_cum, &leaf_cum, &mut stack);
        if stack.len() < p.min_depth {
            continue;
        }
        stack.truncate(p.max_depth.max(p.min_depth));
        // Go writes one sample per distinct stack; skip repeats.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &l in &stack {
            h = (h ^ l as u64).wrapping_mul(0x0100_0000_01b3);
            h ^= h >> 29;
        }
        if !seen.insert(h) {
            continue;
        }
        let (values, size) = sample_values(&mut rng, p.kind, prog.profile.period);
        // The model stores the leaf first.
        let locations: Vec<LocationIdx> = stack.iter().rev().map(|&l| LocationIdx(l as u32)).collect();
        let label = size.map(|size| Label { key: bytes_key.clone(), value: LabelValue::Num { value: size, unit: no_unit.clone() } });
        prog.profile.push_sample(&locations, &values, label);
    }
    prog.profile
}

/// Encodes a profile as gzipped protobuf, as Go's runtime/pprof writes it.
pub fn to_gzipped_protobuf(profile: &Profile) -> Vec<u8> {
    let raw = pprof_lsp::profile::encode(profile);
    let mut enc = GzEncoder::new(Vec::with_capacity(raw.len() / 3), Compression::fast());
    enc.write_all(&raw).expect("writing to memory");
    enc.finish().expect("writing to memory")
}

/// Generates and writes a profile to `path`, creating parent directories.
/// The default 1M-sample benchmark profile (`PPROF_LSP_BENCH_PROFILE`, else
/// `.tools/bench/large.pb.gz`), generated on first use.
#[allow(dead_code)]
pub fn bench_profile() -> std::path::PathBuf {
    let path = std::env::var_os("PPROF_LSP_BENCH_PROFILE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".tools/bench/large.pb.gz"));
    if !path.exists() {
        eprintln!("generating {} (1M samples; takes a while once)", path.display());
        write(&Params::default(), &path).expect("writing the benchmark profile");
    }
    path
}

pub fn write(p: &Params, path: &Path) -> std::io::Result<Profile> {
    let profile = generate(p);
    let bytes = to_gzipped_protobuf(&profile);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    // Write next to the target and rename, so a reader never sees half a file.
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, &bytes)?;
    std::fs::rename(&tmp, path)?;
    Ok(profile)
}

/// Counts worth printing about a generated profile.
pub struct Summary {
    pub samples: usize,
    pub functions: usize,
    pub locations: usize,
    pub inlined_locations: usize,
    pub mean_depth: f64,
    pub max_depth: usize,
    /// Frames per sample, counting inlined ones.
    pub mean_frames: f64,
    /// Distinct (file, line) pairs over all locations.
    pub distinct_lines: usize,
    pub recursive_samples: usize,
}

pub fn summarize(profile: &Profile) -> Summary {
    let mut total_depth = 0usize;
    let mut total_frames = 0usize;
    let mut max_depth = 0usize;
    let mut recursive = 0usize;
    let mut seen: Vec<u32> = vec![u32::MAX; profile.functions.len()];
    for (i, s) in profile.iter_samples().enumerate() {
        total_depth += s.locations.len();
        max_depth = max_depth.max(s.locations.len());
        let mut rec = false;
        for l in s.locations {
            total_frames += profile.locations[l.get()].lines.len().max(1);
            for line in &profile.locations[l.get()].lines {
                let slot = &mut seen[line.function.get()];
                rec |= *slot == i as u32;
                *slot = i as u32;
            }
        }
        recursive += rec as usize;
    }
    Summary {
        samples: profile.samples.len(),
        functions: profile.functions.len(),
        locations: profile.locations.len(),
        inlined_locations: profile.locations.iter().filter(|l| l.lines.len() > 1).count(),
        mean_depth: total_depth as f64 / profile.samples.len().max(1) as f64,
        max_depth,
        mean_frames: total_frames as f64 / profile.samples.len().max(1) as f64,
        distinct_lines: profile
            .locations
            .iter()
            .flat_map(|l| &l.lines)
            .map(|l| (profile.functions[l.function.get()].filename.as_str(), l.line))
            .collect::<HashSet<_>>()
            .len(),
        recursive_samples: recursive,
    }
}
