//! The per-line index: flat and cum for every node, source line and
//! function, for every sample type at once, with pprof's `-lines` rules.
//!
//! * A node is the (function, file, line) of one `Line` entry, or a bare
//!   address for a location without lines.
//! * Flat goes only to the first line of the first location of a sample:
//!   the innermost inlined frame of the leaf.
//! * Cum counts each node, line and function once per sample, however often
//!   it appears on the stack (recursion).
//! * A source line's flat is the sum over the functions on it; its cum is
//!   de-duplicated per sample.

use rustc_hash::FxHashMap;

use crate::profile::{Profile, SampleRef, ValueType};

use super::select::SampleType;

crate::profile::index_newtype!(
    /// A distinct source file name, exactly as the profile spells it.
    FileId
);
crate::profile::index_newtype!(
    /// A distinct function (name and file).
    FuncId
);
crate::profile::index_newtype!(
    /// A distinct (function, line) or bare address.
    NodeId
);
crate::profile::index_newtype!(
    /// A distinct (file, line).
    LineId
);

/// Flat and cum of one entity for one sample type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    pub flat: i64,
    pub cum: i64,
}

impl Cost {
    pub fn is_zero(&self) -> bool {
        self.flat == 0 && self.cum == 0
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionInfo {
    pub name: String,
    pub file: Option<FileId>,
    /// The declaration line if the profile records it, else 0.
    pub start_line: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeInfo {
    /// `None` for a location the profile has no symbols for.
    pub function: Option<FuncId>,
    pub line: i64,
    pub address: u64,
    pub source_line: Option<LineId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineInfo {
    pub file: FileId,
    pub line: i64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IndexError {
    #[error("the base profile's sample types ({base}) differ from the profile's ({profile})")]
    IncompatibleBase { base: String, profile: String },
}

/// Costs of one profile (or one diff) for all of its sample types.
#[derive(Clone, Debug, Default)]
pub struct Index {
    sample_types: Vec<ValueType>,
    totals: Vec<i64>,
    files: Vec<String>,
    functions: Vec<FunctionInfo>,
    nodes: Vec<NodeInfo>,
    lines: Vec<LineInfo>,
    node_costs: Vec<Cost>,
    line_costs: Vec<Cost>,
    function_costs: Vec<Cost>,
    /// Per node and sample type: how calls into the node were seen
    /// ([`INLINED`], [`CALLED`]).
    node_calls: Vec<u8>,
    function_calls: Vec<u8>,
    lines_by_file: Vec<Vec<LineId>>,
    nodes_by_function: Vec<Vec<NodeId>>,
    /// For each indexed profile (the base second, for a diff): the nodes of
    /// each of its locations, kept for building the call graph later.
    pub(crate) tables: Vec<LocationTable>,
}

/// The nodes of every location of one profile, innermost first, flattened.
#[derive(Clone, Debug, Default)]
pub(crate) struct LocationTable {
    pub(crate) sign: i64,
    pub(crate) starts: Vec<u32>,
    pub(crate) refs: Vec<NodeRef>,
}

impl LocationTable {
    /// The frames of a sample, root first and, within a location, outermost
    /// first (the order pprof walks), each with whether it is inlined into
    /// the frame before it.
    #[inline]
    pub(crate) fn frames<'s>(&'s self, sample: SampleRef<'s>) -> impl Iterator<Item = (NodeRef, bool)> + 's {
        sample.locations.iter().rev().flat_map(move |loc| {
            let refs = &self.refs[self.starts[loc.get()] as usize..self.starts[loc.get() + 1] as usize];
            let last = refs.len() - 1;
            refs.iter().enumerate().rev().map(move |(i, r)| (*r, i != last))
        })
    }

    /// The innermost frame of the leaf location, which takes the flat.
    #[inline]
    pub(crate) fn leaf(&self, sample: SampleRef<'_>) -> Option<NodeRef> {
        sample.locations.first().map(|loc| self.refs[self.starts[loc.get()] as usize])
    }

    /// The sample's values with this profile's sign; false when it adds
    /// nothing.
    #[inline]
    pub(crate) fn values(&self, sample: SampleRef<'_>, out: &mut [i64]) -> bool {
        let mut any = false;
        for (v, &raw) in out.iter_mut().zip(sample.values) {
            *v = raw.wrapping_mul(self.sign);
            any |= raw != 0;
        }
        any && !sample.locations.is_empty()
    }
}

/// A call into the node was seen with the node inlined into its caller.
const INLINED: u8 = 1;
/// A call into the node was seen as a real call.
const CALLED: u8 = 2;

/// How pprof marks a row of its `top` table: whether the calls into it were
/// inlined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InlineMark {
    None,
    /// Every call into it was inlined.
    Inline,
    /// Some were, some were not.
    PartialInline,
}

impl InlineMark {
    fn from_bits(bits: u8) -> InlineMark {
        match bits {
            b if b == INLINED => InlineMark::Inline,
            b if b == INLINED | CALLED => InlineMark::PartialInline,
            _ => InlineMark::None,
        }
    }
}

impl Index {
    /// Indexes one profile.
    pub fn build(profile: &Profile) -> Index {
        let mut b = Builder::new(&profile.sample_types);
        b.prepare(profile, 1, false);
        b.walk(&[profile]);
        b.finish()
    }

    /// Indexes `profile - base`, as `pprof -diff_base base profile` does:
    /// base values are subtracted and percentages are of the base's total.
    pub fn build_diff(profile: &Profile, base: &Profile) -> Result<Index, IndexError> {
        if base.sample_types != profile.sample_types {
            let names = |p: &Profile| p.sample_types.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" ");
            return Err(IndexError::IncompatibleBase { base: names(base), profile: names(profile) });
        }
        let mut b = Builder::new(&profile.sample_types);
        b.prepare(profile, 1, false);
        b.prepare(base, -1, true);
        b.walk(&[profile, base]);
        Ok(b.finish())
    }

    pub fn sample_types(&self) -> &[ValueType] {
        &self.sample_types
    }

    /// pprof's total: the sum of absolute sample values (of the base alone,
    /// for a diff).
    pub fn total(&self, t: SampleType) -> i64 {
        self.totals[t.0]
    }

    pub fn files(&self) -> &[String] {
        &self.files
    }

    pub fn file(&self, id: FileId) -> &str {
        &self.files[id.get()]
    }

    pub fn functions(&self) -> &[FunctionInfo] {
        &self.functions
    }

    pub fn function(&self, id: FuncId) -> &FunctionInfo {
        &self.functions[id.get()]
    }

    pub fn nodes(&self) -> &[NodeInfo] {
        &self.nodes
    }

    pub fn node(&self, id: NodeId) -> &NodeInfo {
        &self.nodes[id.get()]
    }

    pub fn lines(&self) -> &[LineInfo] {
        &self.lines
    }

    pub fn line(&self, id: LineId) -> &LineInfo {
        &self.lines[id.get()]
    }

    fn stride(&self) -> usize {
        self.sample_types.len()
    }

    pub fn node_cost(&self, id: NodeId, t: SampleType) -> Cost {
        self.node_costs[id.get() * self.stride() + t.0]
    }

    pub fn line_cost(&self, id: LineId, t: SampleType) -> Cost {
        self.line_costs[id.get() * self.stride() + t.0]
    }

    pub fn function_cost(&self, id: FuncId, t: SampleType) -> Cost {
        self.function_costs[id.get() * self.stride() + t.0]
    }

    /// Whether calls into a node were inlined, among samples with a value
    /// of type `t`. (pprof decides this per caller→callee edge; a node
    /// whose one caller line reaches it both inlined and not is the only
    /// case where the two differ.)
    pub fn inline_mark(&self, id: NodeId, t: SampleType) -> InlineMark {
        InlineMark::from_bits(self.node_calls[id.get() * self.stride() + t.0])
    }

    /// The same at function granularity: calls from other functions only.
    pub fn function_inline_mark(&self, id: FuncId, t: SampleType) -> InlineMark {
        InlineMark::from_bits(self.function_calls[id.get() * self.stride() + t.0])
    }

    /// The indexed lines of one file, in line order.
    pub fn lines_of_file(&self, file: FileId) -> &[LineId] {
        &self.lines_by_file[file.get()]
    }

    /// The nodes of one function, in line order.
    pub fn nodes_of_function(&self, f: FuncId) -> &[NodeId] {
        &self.nodes_by_function[f.get()]
    }

    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> {
        (0..self.nodes.len() as u32).map(NodeId)
    }

    pub fn function_ids(&self) -> impl Iterator<Item = FuncId> {
        (0..self.functions.len() as u32).map(FuncId)
    }

    pub fn line_ids(&self) -> impl Iterator<Item = LineId> {
        (0..self.lines.len() as u32).map(LineId)
    }

    pub fn file_ids(&self) -> impl Iterator<Item = FileId> {
        (0..self.files.len() as u32).map(FileId)
    }

    /// pprof's printable name of a node: `function file:line`, or the
    /// address in hex when the node has no symbol.
    pub fn node_name(&self, id: NodeId) -> String {
        let n = self.node(id);
        match n.function {
            None => format!("{:#x}", n.address),
            Some(f) => {
                let f = self.function(f);
                match f.file {
                    Some(file) => format!("{} {}:{}", f.name, self.file(file), n.line),
                    None => format!("{} {}", f.name, n.line),
                }
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum NodeKey {
    Line(FuncId, i64),
    Address(u64),
}

struct Builder {
    stride: usize,
    index: Index,
    base_totals: Vec<i64>,
    has_base: bool,
    file_ids: FxHashMap<String, FileId>,
    function_ids: FxHashMap<(String, Option<FileId>), FuncId>,
    node_ids: FxHashMap<NodeKey, NodeId>,
    line_ids: FxHashMap<(FileId, i64), LineId>,
}

impl Builder {
    fn new(types: &[ValueType]) -> Self {
        Builder {
            stride: types.len(),
            index: Index {
                sample_types: types.to_vec(),
                totals: vec![0; types.len()],
                ..Default::default()
            },
            base_totals: vec![0; types.len()],
            has_base: false,
            file_ids: FxHashMap::default(),
            function_ids: FxHashMap::default(),
            node_ids: FxHashMap::default(),
            line_ids: FxHashMap::default(),
        }
    }

    fn file(&mut self, name: &str) -> Option<FileId> {
        if name.is_empty() {
            return None;
        }
        if let Some(&id) = self.file_ids.get(name) {
            return Some(id);
        }
        let id = FileId(self.index.files.len() as u32);
        self.index.files.push(name.to_string());
        self.file_ids.insert(name.to_string(), id);
        Some(id)
    }

    fn function(&mut self, name: &str, filename: &str, start_line: i64) -> FuncId {
        let file = self.file(filename);
        let key = (name.to_string(), file);
        if let Some(&id) = self.function_ids.get(&key) {
            let info = &mut self.index.functions[id.get()];
            if info.start_line == 0 {
                info.start_line = start_line;
            }
            return id;
        }
        let id = FuncId(self.index.functions.len() as u32);
        self.index.functions.push(FunctionInfo { name: name.to_string(), file, start_line });
        self.function_ids.insert(key, id);
        id
    }

    fn node(&mut self, key: NodeKey) -> NodeId {
        if let Some(&id) = self.node_ids.get(&key) {
            return id;
        }
        let (function, line, address) = match key {
            NodeKey::Line(f, line) => (Some(f), line, 0),
            NodeKey::Address(a) => (None, 0, a),
        };
        let source_line = function.and_then(|f| self.index.functions[f.get()].file).map(|file| {
            *self.line_ids.entry((file, line)).or_insert_with(|| {
                let id = LineId(self.index.lines.len() as u32);
                self.index.lines.push(LineInfo { file, line });
                id
            })
        });
        let id = NodeId(self.index.nodes.len() as u32);
        self.index.nodes.push(NodeInfo { function, line, address, source_line });
        self.node_ids.insert(key, id);
        id
    }

    /// Interns the nodes of a profile's locations and adds up its totals.
    fn prepare(&mut self, profile: &Profile, sign: i64, is_base: bool) {
        let stride = self.stride;
        let functions: Vec<FuncId> =
            profile.functions.iter().map(|f| self.function(&f.name, &f.filename, f.start_line)).collect();
        // The nodes of each location, innermost first, in one flat vector,
        // each with its line and function so the walk needs nothing else
        // per frame.
        let mut starts = Vec::with_capacity(profile.locations.len() + 1);
        let mut refs = Vec::with_capacity(profile.locations.len());
        for loc in &profile.locations {
            starts.push(refs.len() as u32);
            if loc.lines.is_empty() {
                refs.push(self.node_ref(NodeKey::Address(loc.address)));
            }
            for l in &loc.lines {
                refs.push(self.node_ref(NodeKey::Line(functions[l.function.get()], l.line)));
            }
        }
        starts.push(refs.len() as u32);

        for sample in profile.iter_samples() {
            if sample.locations.is_empty() {
                continue;
            }
            for (t, &v) in sample.values.iter().enumerate().take(stride) {
                let abs = v.unsigned_abs() as i64;
                self.index.totals[t] = self.index.totals[t].wrapping_add(abs);
                if is_base {
                    self.base_totals[t] = self.base_totals[t].wrapping_add(abs);
                }
            }
        }
        self.index.tables.push(LocationTable { sign, starts, refs });
        self.has_base |= is_base;
    }

    /// Walks the samples of the prepared profiles (in `prepare` order).
    ///
    /// A source line with a single node has exactly that node's costs, so
    /// the walk only tracks lines shared by several nodes (two functions on
    /// one line) and copies the rest afterwards.
    fn walk(&mut self, profiles: &[&Profile]) {
        let stride = self.stride;
        let idx = &mut self.index;
        let mut nodes_per_line = vec![0u32; idx.lines.len()];
        for n in &idx.nodes {
            if let Some(l) = n.source_line {
                nodes_per_line[l.get()] += 1;
            }
        }
        for table in &mut idx.tables {
            for r in &mut table.refs {
                if r.line != NONE && nodes_per_line[r.line as usize] == 1 {
                    r.line = NONE;
                }
            }
        }
        let sizes = (idx.nodes.len(), idx.lines.len(), idx.functions.len());
        idx.node_costs = vec![Cost::default(); sizes.0 * stride];
        idx.line_costs = vec![Cost::default(); sizes.1 * stride];
        idx.function_costs = vec![Cost::default(); sizes.2 * stride];
        idx.node_calls = vec![0; sizes.0 * stride];
        idx.function_calls = vec![0; sizes.2 * stride];
        for (profile, table) in profiles.iter().zip(&idx.tables) {
            let costs = walk_costs(profile, table, stride, sizes);
            merge(&mut idx.node_costs, &costs.node_flat, &costs.node_cum);
            merge(&mut idx.line_costs, &costs.line_flat, &costs.line_cum);
            merge(&mut idx.function_costs, &costs.function_flat, &costs.function_cum);
            or_into(&mut idx.node_calls, &costs.node_calls);
            or_into(&mut idx.function_calls, &costs.function_calls);
        }
        for (n, node) in idx.nodes.iter().enumerate() {
            if let Some(l) = node.source_line.filter(|l| nodes_per_line[l.get()] == 1) {
                let (from, to) = (n * stride, l.get() * stride);
                for t in 0..stride {
                    idx.line_costs[to + t] = idx.node_costs[from + t];
                }
            }
        }
    }

    fn node_ref(&mut self, key: NodeKey) -> NodeRef {
        let node = self.node(key);
        let info = &self.index.nodes[node.get()];
        NodeRef {
            node: node.0,
            line: info.source_line.map_or(NONE, |l| l.0),
            function: info.function.map_or(NONE, |f| f.0),
        }
    }

    fn finish(mut self) -> Index {
        if self.has_base && self.base_totals.iter().any(|&t| t > 0) {
            for (t, base) in self.index.totals.iter_mut().zip(&self.base_totals) {
                if *base > 0 {
                    *t = *base;
                }
            }
        }
        let idx = &mut self.index;
        idx.lines_by_file = vec![Vec::new(); idx.files.len()];
        for (i, l) in idx.lines.iter().enumerate() {
            idx.lines_by_file[l.file.get()].push(LineId(i as u32));
        }
        for ids in &mut idx.lines_by_file {
            ids.sort_by_key(|id| idx.lines[id.get()].line);
        }
        idx.nodes_by_function = vec![Vec::new(); idx.functions.len()];
        for (i, n) in idx.nodes.iter().enumerate() {
            if let Some(f) = n.function {
                idx.nodes_by_function[f.get()].push(NodeId(i as u32));
            }
        }
        for ids in &mut idx.nodes_by_function {
            ids.sort_by_key(|id| idx.nodes[id.get()].line);
        }
        self.index
    }
}

/// Marks "no line" or "no function" in a [`NodeRef`].
pub(crate) const NONE: u32 = u32::MAX;

/// A node as one frame of a location refers to it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NodeRef {
    pub(crate) node: u32,
    pub(crate) line: u32,
    pub(crate) function: u32,
}

/// What one walk over samples adds up: flat and cum kept apart, since
/// every frame adds to a cum and only the leaf to a flat.
struct Costs {
    node_flat: Vec<i64>,
    node_cum: Vec<i64>,
    line_flat: Vec<i64>,
    line_cum: Vec<i64>,
    function_flat: Vec<i64>,
    function_cum: Vec<i64>,
    node_calls: Vec<u8>,
    function_calls: Vec<u8>,
}

impl Costs {
    fn new((nodes, lines, functions): (usize, usize, usize), stride: usize) -> Costs {
        Costs {
            node_flat: vec![0; nodes * stride],
            node_cum: vec![0; nodes * stride],
            line_flat: vec![0; lines * stride],
            line_cum: vec![0; lines * stride],
            function_flat: vec![0; functions * stride],
            function_cum: vec![0; functions * stride],
            node_calls: vec![0; nodes * stride],
            function_calls: vec![0; functions * stride],
        }
    }

    fn absorb(&mut self, other: Costs) {
        for (into, from) in [
            (&mut self.node_flat, &other.node_flat),
            (&mut self.node_cum, &other.node_cum),
            (&mut self.line_flat, &other.line_flat),
            (&mut self.line_cum, &other.line_cum),
            (&mut self.function_flat, &other.function_flat),
            (&mut self.function_cum, &other.function_cum),
        ] {
            add(into, from);
        }
        or_into(&mut self.node_calls, &other.node_calls);
        or_into(&mut self.function_calls, &other.function_calls);
    }
}

/// Samples per walk below which splitting across threads does not pay.
const PARALLEL_MIN_SAMPLES: usize = 50_000;

/// Walks all samples, split in two halves on two threads when there are
/// many, and adds the halves up.
fn walk_costs(profile: &Profile, table: &LocationTable, stride: usize, sizes: (usize, usize, usize)) -> Costs {
    let n = profile.samples.len();
    if n < PARALLEL_MIN_SAMPLES {
        return walk_range(profile, 0..n, table, stride, sizes);
    }
    let mid = n / 2;
    std::thread::scope(|scope| {
        let other = scope.spawn(|| walk_range(profile, mid..n, table, stride, sizes));
        let mut costs = walk_range(profile, 0..mid, table, stride, sizes);
        match other.join() {
            Ok(rest) => costs.absorb(rest),
            // Walking cannot panic on a validated profile; if it somehow
            // did, finish the half on this thread rather than lose it.
            Err(_) => costs.absorb(walk_range(profile, mid..n, table, stride, sizes)),
        }
        costs
    })
}

/// Flat and cum per node, line and function over some samples. Each is
/// counted once per sample, found with a per-entity stamp of the last
/// sample that reached it.
fn walk_range(
    profile: &Profile,
    samples: std::ops::Range<usize>,
    table: &LocationTable,
    stride: usize,
    sizes: (usize, usize, usize),
) -> Costs {
    let mut out = Costs::new(sizes, stride);
    let mut node_seen = vec![0u32; sizes.0];
    let mut line_seen = vec![0u32; sizes.1];
    let mut function_seen = vec![0u32; sizes.2];
    let mut values = vec![0i64; stride];
    for i in samples {
        let sample = profile.sample(i);
        if !table.values(sample, &mut values) {
            continue;
        }
        // Stamps start at 1 so that 0 means "never"; they wrap only after
        // 2^32 samples in one walk, which no decodable profile reaches.
        let stamp = i as u32 + 1;
        let mut parent: Option<NodeRef> = None;
        for (r, inlined) in table.frames(sample) {
            let n = r.node as usize;
            if let Some(p) = parent {
                let how = if inlined { INLINED } else { CALLED };
                if p.node != r.node {
                    mark(&mut out.node_calls[n * stride..][..stride], &values, how);
                }
                if p.function != r.function && r.function != NONE {
                    mark(&mut out.function_calls[r.function as usize * stride..][..stride], &values, how);
                }
            }
            parent = Some(r);
            if node_seen[n] == stamp {
                continue;
            }
            node_seen[n] = stamp;
            add(&mut out.node_cum[n * stride..][..stride], &values);
            let line = r.line as usize;
            if r.line != NONE && line_seen[line] != stamp {
                line_seen[line] = stamp;
                add(&mut out.line_cum[line * stride..][..stride], &values);
            }
            let function = r.function as usize;
            if r.function != NONE && function_seen[function] != stamp {
                function_seen[function] = stamp;
                add(&mut out.function_cum[function * stride..][..stride], &values);
            }
        }
        let Some(leaf) = table.leaf(sample) else { continue };
        add(&mut out.node_flat[leaf.node as usize * stride..][..stride], &values);
        if leaf.line != NONE {
            add(&mut out.line_flat[leaf.line as usize * stride..][..stride], &values);
        }
        if leaf.function != NONE {
            add(&mut out.function_flat[leaf.function as usize * stride..][..stride], &values);
        }
    }
    out
}

fn mark(bits: &mut [u8], values: &[i64], how: u8) {
    for (b, &v) in bits.iter_mut().zip(values) {
        if v != 0 {
            *b |= how;
        }
    }
}

fn or_into(into: &mut [u8], from: &[u8]) {
    for (a, b) in into.iter_mut().zip(from) {
        *a |= b;
    }
}

#[inline]
fn add(into: &mut [i64], values: &[i64]) {
    for (a, &v) in into.iter_mut().zip(values) {
        *a = a.wrapping_add(v);
    }
}

fn merge(into: &mut [Cost], flat: &[i64], cum: &[i64]) {
    for ((c, &f), &u) in into.iter_mut().zip(flat).zip(cum) {
        c.flat = c.flat.wrapping_add(f);
        c.cum = c.cum.wrapping_add(u);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Function, FunctionIdx, Line, Location, LocationIdx};

    /// Builds a profile from stacks written leaf first as `fn:line` frames;
    /// `a:1+b:2` is one location whose line `a:1` is inlined into `b:2`.
    fn profile(stacks: &[(&str, i64)]) -> Profile {
        let mut p = Profile { sample_types: vec![ValueType::new("v", "count")], ..Default::default() };
        let mut locs: Vec<String> = Vec::new();
        for (stack, value) in stacks {
            let mut ids = Vec::new();
            for loc in stack.split(' ') {
                let idx = locs.iter().position(|l| l == loc).unwrap_or_else(|| {
                    let lines = loc
                        .split('+')
                        .map(|frame| {
                            let (name, line) = frame.split_once(':').unwrap();
                            let f = p.functions.iter().position(|f| f.name == name).unwrap_or_else(|| {
                                p.functions.push(Function { name: name.into(), filename: format!("{name}.go"), ..Default::default() });
                                p.functions.len() - 1
                            });
                            Line { function: FunctionIdx(f as u32), line: line.parse().unwrap(), column: 0 }
                        })
                        .collect();
                    p.locations.push(Location { lines, ..Default::default() });
                    locs.push(loc.to_string());
                    locs.len() - 1
                });
                ids.push(LocationIdx(idx as u32));
            }
            p.push_sample(&ids, &[*value], []);
        }
        p
    }

    fn costs(index: &Index) -> Vec<(String, i64, i64)> {
        let mut out: Vec<_> = index
            .node_ids()
            .map(|n| {
                let c = index.node_cost(n, SampleType(0));
                (index.node_name(n), c.flat, c.cum)
            })
            .filter(|(_, f, c)| *f != 0 || *c != 0)
            .collect();
        out.sort();
        out
    }

    #[test]
    fn recursion_counts_once_per_sample() {
        let p = profile(&[("rec:5 rec:5 rec:5 rec:5 rec:5 main:1", 10)]);
        let idx = Index::build(&p);
        assert_eq!(costs(&idx), vec![("main main.go:1".into(), 0, 10), ("rec rec.go:5".into(), 10, 10)]);
        assert_eq!(idx.total(SampleType(0)), 10);
    }

    #[test]
    fn inlined_callers_get_cum_only() {
        let p = profile(&[("helper:3+caller:8 main:1", 7), ("caller:9 main:1", 2)]);
        let idx = Index::build(&p);
        assert_eq!(
            costs(&idx),
            vec![
                ("caller caller.go:8".into(), 0, 7),
                ("caller caller.go:9".into(), 2, 2),
                ("helper helper.go:3".into(), 7, 7),
                ("main main.go:1".into(), 0, 9),
            ]
        );
        let f = idx.function_ids().find(|&f| idx.function(f).name == "caller").unwrap();
        assert_eq!(idx.function_cost(f, SampleType(0)), Cost { flat: 2, cum: 9 });
        let helper = idx.node_ids().find(|&n| idx.node_name(n).starts_with("helper")).unwrap();
        assert_eq!(idx.inline_mark(helper, SampleType(0)), InlineMark::Inline);
        let caller9 = idx.node_ids().find(|&n| idx.node_name(n) == "caller caller.go:9").unwrap();
        assert_eq!(idx.inline_mark(caller9, SampleType(0)), InlineMark::None);
    }

    #[test]
    fn diff_subtracts_and_totals_are_the_base() {
        let new = profile(&[("a:1 main:1", 30), ("b:1 main:1", 5)]);
        let base = profile(&[("a:1 main:1", 10), ("b:1 main:1", 5)]);
        let idx = Index::build_diff(&new, &base).unwrap();
        assert_eq!(costs(&idx), vec![("a a.go:1".into(), 20, 20), ("main main.go:1".into(), 0, 20)]);
        assert_eq!(idx.total(SampleType(0)), 15);
    }
}
