//! The per-line index: flat and cum for every node, source line and
//! function, for every sample type, with pprof's `-lines` rules.
//!
//! * [`Index::build`] walks the samples once for every sample type;
//!   [`Index::build_first`] walks them for the shown type only and leaves
//!   the others to the first question about them (or to
//!   [`Index::build_rest`], off the request path), since what is on screen
//!   needs one type and a walk's cost grows with the types it carries.
//!
//! * A node is the (function, file, line) of one `Line` entry, or a bare
//!   address for a location without lines.
//! * Flat goes only to the first line of the first location of a sample:
//!   the innermost inlined frame of the leaf.
//! * Cum counts each node, line and function once per sample, however often
//!   it appears on the stack (recursion).
//! * A source line's flat is the sum over the functions on it; its cum is
//!   de-duplicated per sample.
//! * A function is a name, as at pprof's function granularity: `Function`
//!   entries with one name under several file names (a function recorded
//!   under the file it was inlined into, say) are one function, while its
//!   nodes keep the file each entry names.

use std::sync::{Arc, Mutex, OnceLock};

use rustc_hash::FxHashMap;

use crate::profile::{Profile, SampleRef, ValueType};

use super::halves::in_halves;
use super::select::SampleType;

crate::profile::index_newtype!(
    /// A distinct source file name, exactly as the profile spells it.
    FileId
);
crate::profile::index_newtype!(
    /// A distinct function name.
    FuncId
);
crate::profile::index_newtype!(
    /// A distinct (function, file, line) or bare address.
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
    /// The file the function is shown in (its lens, its declaration). When
    /// the profile records the function under several file names, this is
    /// the one holding most of its nodes, ties going to the file named
    /// first: the function's own file has its whole body, a file it was
    /// inlined into only the lines inlined there. (pprof's function view
    /// names no file at all.)
    pub file: Option<FileId>,
    /// The declaration line recorded under `file`, else 0.
    pub start_line: i64,
}

/// One of the file names a function is recorded under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionFile {
    pub file: Option<FileId>,
    /// The declaration line recorded under this file, else 0.
    pub start_line: i64,
    /// Where this file's nodes end in the function's node list.
    nodes_end: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeInfo {
    /// `None` for a location the profile has no symbols for.
    pub function: Option<FuncId>,
    /// The file the node's `Function` entry names. Usually the function's
    /// own file, but not always: see [`FunctionInfo::file`].
    pub file: Option<FileId>,
    pub line: i64,
    pub address: u64,
    pub source_line: Option<LineId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineInfo {
    pub file: FileId,
    pub line: i64,
}

#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
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
    /// Per sample type, its costs once walked.
    costs: Vec<OnceLock<TypeCosts>>,
    /// Per line: its slot in a walk when several nodes share it, else
    /// [`NONE`] (the line has its one node's costs). Slots are numbered
    /// from 0 in line order.
    line_slots: Vec<u32>,
    /// For an index built for one type first: the profiles to walk for
    /// the others (in `tables` order).
    rest: Option<Arc<Rest>>,
    lines_by_file: Vec<Vec<LineId>>,
    /// Each function's nodes, grouped by file (in `function_files` order),
    /// each group in line order.
    nodes_by_function: Vec<Vec<NodeId>>,
    /// Each function's files, its own (`FunctionInfo::file`) first.
    function_files: Vec<Vec<FunctionFile>>,
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

/// Flat and cum of every node, line and function for one sample type.
#[derive(Clone, Debug, Default)]
struct TypeCosts {
    node: Vec<Cost>,
    line: Vec<Cost>,
    function: Vec<Cost>,
}

/// What walking the sample types not built yet needs.
#[derive(Debug)]
struct Rest {
    profiles: Vec<Arc<Profile>>,
    /// Held while walking, so that two first questions walk once.
    walking: Mutex<()>,
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

    /// [`LocationTable::values`] of some sample types only, in `types`
    /// order.
    #[inline]
    fn values_of(&self, sample: SampleRef<'_>, types: &[usize], out: &mut [i64]) -> bool {
        let mut any = false;
        for (v, &t) in out.iter_mut().zip(types) {
            let raw = sample.values.get(t).copied().unwrap_or(0);
            *v = raw.wrapping_mul(self.sign);
            any |= raw != 0;
        }
        any && !sample.locations.is_empty()
    }
}

impl Index {
    /// Indexes one profile, every sample type.
    pub fn build(profile: &Profile) -> Index {
        let mut index = Index::prepared(&[profile]);
        index.walk(&[profile], &all_types(profile));
        index
    }

    /// Indexes `profile - base`, as `pprof -diff_base base profile` does:
    /// base values are subtracted and percentages are of the base's total.
    pub fn build_diff(profile: &Profile, base: &Profile) -> Result<Index, IndexError> {
        compatible(profile, base)?;
        let mut index = Index::prepared(&[profile, base]);
        index.walk(&[profile, base], &all_types(profile));
        Ok(index)
    }

    /// Indexes `profile` (less `base`, as [`Index::build_diff`]) with the
    /// costs of sample type `first` only; the other types' are walked the
    /// first time something asks for them, or by [`Index::build_rest`].
    pub fn build_first(profile: Arc<Profile>, base: Option<Arc<Profile>>, first: SampleType) -> Result<Index, IndexError> {
        if let Some(base) = &base {
            compatible(&profile, base)?;
        }
        Ok(Index::walked_for(std::iter::once(profile).chain(base).collect(), &[first]))
    }

    /// [`Index::build_first`] of one profile, with several sample types
    /// walked at once.
    pub fn build_some(profile: Arc<Profile>, first: &[SampleType]) -> Index {
        Index::walked_for(vec![profile], first)
    }

    /// The index of `profiles` (a profile, then the base it is compared
    /// with) with no costs walked yet.
    fn prepared(profiles: &[&Profile]) -> Index {
        let mut b = Builder::new(&profiles[0].sample_types);
        for (i, p) in profiles.iter().enumerate() {
            b.prepare(p, if i == 0 { 1 } else { -1 }, i > 0);
        }
        b.finish()
    }

    /// The index of compatible `profiles` with the costs of `first` walked
    /// and the rest left for later.
    fn walked_for(profiles: Vec<Arc<Profile>>, first: &[SampleType]) -> Index {
        let refs: Vec<&Profile> = profiles.iter().map(|p| p.as_ref()).collect();
        let mut index = Index::prepared(&refs);
        let mut types: Vec<usize> = first.iter().map(|t| t.0).filter(|&t| t < index.sample_types.len()).collect();
        types.sort_unstable();
        types.dedup();
        if !types.is_empty() {
            index.walk(&refs, &types);
        }
        index.rest = Some(Arc::new(Rest { profiles, walking: Mutex::new(()) }));
        index
    }

    /// Whether the costs of sample type `t` are walked already.
    pub fn is_built(&self, t: SampleType) -> bool {
        self.costs.get(t.0).is_some_and(|c| c.get().is_some())
    }

    /// Walks every sample type not walked yet, in one walk. Costs the
    /// walk of those types when some are missing; nothing otherwise.
    pub fn build_rest(&self) {
        let Some(rest) = &self.rest else { return };
        let _walking = rest.walking.lock().unwrap_or_else(|e| e.into_inner());
        let missing: Vec<usize> = (0..self.costs.len()).filter(|&t| self.costs[t].get().is_none()).collect();
        if missing.is_empty() {
            return;
        }
        let profiles: Vec<&Profile> = rest.profiles.iter().map(|p| p.as_ref()).collect();
        for (t, costs) in missing.iter().zip(self.walk_types(&profiles, &missing)) {
            // Only this walk sets a cell, under the lock.
            let _ = self.costs[*t].set(costs);
        }
    }

    /// The costs of one sample type, walked now if they are not yet.
    #[inline]
    fn costs_of(&self, t: SampleType) -> &TypeCosts {
        if let Some(c) = self.costs[t.0].get() {
            return c;
        }
        self.build_rest();
        self.costs[t.0].get().expect("every sample type is walked by build_rest")
    }

    /// Sets the costs of `types` from one walk of `profiles`.
    fn walk(&mut self, profiles: &[&Profile], types: &[usize]) {
        for (t, costs) in types.iter().zip(self.walk_types(profiles, types)) {
            let _ = self.costs[*t].set(costs);
        }
    }

    /// One walk over the samples of `profiles` (in `tables` order) adding
    /// up the sample types `types`; their costs, in `types` order.
    ///
    /// A source line with a single node has exactly that node's costs, so
    /// the walk only tracks lines shared by several nodes (two functions on
    /// one line) and copies the rest afterwards.
    fn walk_types(&self, profiles: &[&Profile], types: &[usize]) -> Vec<TypeCosts> {
        let stride = types.len();
        let shared_lines = self.line_slots.iter().rev().find(|&&s| s != NONE).map_or(0, |&s| s as usize + 1);
        let sizes = (self.nodes.len(), shared_lines, self.functions.len());
        let mut node = vec![Cost::default(); sizes.0 * stride];
        let mut shared = vec![Cost::default(); sizes.1 * stride];
        let mut function = vec![Cost::default(); sizes.2 * stride];
        for (profile, table) in profiles.iter().zip(&self.tables) {
            let costs = walk_costs(profile, table, types, sizes);
            merge(&mut node, &costs.node_flat, &costs.node_cum);
            merge(&mut shared, &costs.line_flat, &costs.line_cum);
            merge(&mut function, &costs.function_flat, &costs.function_cum);
        }
        let column = |all: &[Cost], k: usize| -> Vec<Cost> { all.iter().skip(k).step_by(stride).copied().collect() };
        (0..stride)
            .map(|k| {
                let (node, shared, function) = if stride == 1 {
                    (std::mem::take(&mut node), std::mem::take(&mut shared), std::mem::take(&mut function))
                } else {
                    (column(&node, k), column(&shared, k), column(&function, k))
                };
                let mut line = vec![Cost::default(); self.lines.len()];
                for (l, &slot) in self.line_slots.iter().enumerate() {
                    if slot != NONE {
                        line[l] = shared[slot as usize];
                    }
                }
                for (n, info) in self.nodes.iter().enumerate() {
                    if let Some(l) = info.source_line.filter(|l| self.line_slots[l.get()] == NONE) {
                        line[l.get()] = node[n];
                    }
                }
                TypeCosts { node, line, function }
            })
            .collect()
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

    pub fn node_cost(&self, id: NodeId, t: SampleType) -> Cost {
        self.costs_of(t).node[id.get()]
    }

    pub fn line_cost(&self, id: LineId, t: SampleType) -> Cost {
        self.costs_of(t).line[id.get()]
    }

    pub fn function_cost(&self, id: FuncId, t: SampleType) -> Cost {
        self.costs_of(t).function[id.get()]
    }

    /// The indexed lines of one file, in line order.
    pub fn lines_of_file(&self, file: FileId) -> &[LineId] {
        &self.lines_by_file[file.get()]
    }

    /// The nodes of one function in its own file ([`FunctionInfo::file`]),
    /// in line order: the lines an editor shows for it.
    pub fn nodes_of_function(&self, f: FuncId) -> &[NodeId] {
        let end = self.function_files[f.get()].first().map_or(0, |g| g.nodes_end as usize);
        &self.nodes_by_function[f.get()][..end]
    }

    /// The nodes of one function under every file name it is recorded
    /// under, grouped by file as [`Index::function_files`] lists them.
    pub fn all_nodes_of_function(&self, f: FuncId) -> &[NodeId] {
        &self.nodes_by_function[f.get()]
    }

    /// The file names one function is recorded under, its own file first.
    pub fn function_files(&self, f: FuncId) -> &[FunctionFile] {
        &self.function_files[f.get()]
    }

    /// The nodes of one function under one of its file names, in line order.
    pub fn nodes_of_function_in(&self, f: FuncId, file: Option<FileId>) -> &[NodeId] {
        let mut start = 0;
        for g in &self.function_files[f.get()] {
            let end = g.nodes_end as usize;
            if g.file == file {
                return &self.nodes_by_function[f.get()][start..end];
            }
            start = end;
        }
        &[]
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
            Some(f) => match n.file {
                Some(file) => format!("{} {}:{}", self.function(f).name, self.file(file), n.line),
                None => format!("{} {}", self.function(f).name, n.line),
            },
        }
    }
}

fn all_types(profile: &Profile) -> Vec<usize> {
    (0..profile.sample_types.len()).collect()
}

fn compatible(profile: &Profile, base: &Profile) -> Result<(), IndexError> {
    if base.sample_types != profile.sample_types {
        let names = |p: &Profile| p.sample_types.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" ");
        return Err(IndexError::IncompatibleBase { base: names(base), profile: names(profile) });
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum NodeKey {
    Line(FuncId, Option<FileId>, i64),
    Address(u64),
}

struct Builder<'p> {
    stride: usize,
    index: Index,
    base_totals: Vec<i64>,
    has_base: bool,
    /// Keyed by the profiles' own strings, which outlive the builder.
    file_ids: FxHashMap<&'p str, FileId>,
    function_ids: FxHashMap<&'p str, FuncId>,
    /// Per function, the files its entries name in the order first seen,
    /// each with the first non-zero start line recorded under it.
    function_entries: Vec<Vec<(Option<FileId>, i64)>>,
    node_ids: FxHashMap<NodeKey, NodeId>,
    line_ids: FxHashMap<(FileId, i64), LineId>,
}

impl<'p> Builder<'p> {
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
            function_entries: Vec::new(),
            node_ids: FxHashMap::default(),
            line_ids: FxHashMap::default(),
        }
    }

    fn file(&mut self, name: &'p str) -> Option<FileId> {
        if name.is_empty() {
            return None;
        }
        let next = FileId(self.index.files.len() as u32);
        let id = *self.file_ids.entry(name).or_insert(next);
        if id == next {
            self.index.files.push(name.to_string());
        }
        Some(id)
    }

    /// The function of a `Function` entry, and the file the entry names.
    fn function(&mut self, name: &'p str, filename: &'p str, start_line: i64) -> (FuncId, Option<FileId>) {
        let file = self.file(filename);
        let next = FuncId(self.index.functions.len() as u32);
        let id = *self.function_ids.entry(name).or_insert(next);
        if id == next {
            self.index.functions.push(FunctionInfo { name: name.to_string(), file, start_line: 0 });
            self.function_entries.push(Vec::new());
        }
        let entries = &mut self.function_entries[id.get()];
        match entries.iter_mut().find(|(f, _)| *f == file) {
            Some((_, line)) if *line == 0 => *line = start_line,
            Some(_) => {}
            None => entries.push((file, start_line)),
        }
        (id, file)
    }

    fn node(&mut self, key: NodeKey) -> NodeId {
        // One hash lookup whether the node is new or not.
        let next = NodeId(self.index.nodes.len() as u32);
        let id = *self.node_ids.entry(key).or_insert(next);
        if id != next {
            return id;
        }
        let (function, file, line, address) = match key {
            NodeKey::Line(f, file, line) => (Some(f), file, line, 0),
            NodeKey::Address(a) => (None, None, 0, a),
        };
        let source_line = file.map(|file| {
            *self.line_ids.entry((file, line)).or_insert_with(|| {
                let id = LineId(self.index.lines.len() as u32);
                self.index.lines.push(LineInfo { file, line });
                id
            })
        });
        self.index.nodes.push(NodeInfo { function, file, line, address, source_line });
        next
    }

    /// Interns the nodes of a profile's locations and adds up its totals.
    fn prepare(&mut self, profile: &'p Profile, sign: i64, is_base: bool) {
        let stride = self.stride;
        self.function_ids.reserve(profile.functions.len());
        self.node_ids.reserve(profile.locations.len());
        self.line_ids.reserve(profile.locations.len());
        let functions: Vec<(FuncId, Option<FileId>)> =
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
                let (function, file) = functions[l.function.get()];
                refs.push(self.node_ref(NodeKey::Line(function, file, l.line)));
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

    /// Gives each line shared by several nodes a slot of its own in the
    /// walks, and points the tables' frames at the slots.
    fn assign_line_slots(&mut self) {
        let idx = &mut self.index;
        let mut slots = vec![0u32; idx.lines.len()];
        for n in &idx.nodes {
            if let Some(l) = n.source_line {
                slots[l.get()] += 1;
            }
        }
        let mut shared = 0u32;
        for slot in &mut slots {
            *slot = if *slot > 1 {
                shared += 1;
                shared - 1
            } else {
                NONE
            };
        }
        for table in &mut idx.tables {
            for r in &mut table.refs {
                if r.line != NONE {
                    r.line = slots[r.line as usize];
                }
            }
        }
        idx.line_slots = slots;
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

    /// The index without costs: every table and list, the line slots set.
    fn finish(mut self) -> Index {
        self.assign_line_slots();
        self.index.costs = vec![OnceLock::new(); self.stride];
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
        self.group_function_nodes();
        self.index
    }

    /// Groups each function's nodes by file, chooses the function's own
    /// file (the one with most nodes; ties to the file named first) and
    /// lists it first.
    fn group_function_nodes(&mut self) {
        let idx = &mut self.index;
        let mut by_function: Vec<Vec<NodeId>> = vec![Vec::new(); idx.functions.len()];
        for (i, n) in idx.nodes.iter().enumerate() {
            if let Some(f) = n.function {
                by_function[f.get()].push(NodeId(i as u32));
            }
        }
        idx.function_files = Vec::with_capacity(idx.functions.len());
        for (f, nodes) in by_function.iter_mut().enumerate() {
            let entries = &self.function_entries[f];
            if let [(file, start_line)] = entries[..] {
                // One file: every node is in it.
                nodes.sort_by_key(|n| idx.nodes[n.get()].line);
                let info = &mut idx.functions[f];
                info.file = file;
                info.start_line = start_line;
                idx.function_files.push(vec![FunctionFile { file, start_line, nodes_end: nodes.len() as u32 }]);
                continue;
            }
            let counts: Vec<usize> = entries
                .iter()
                .map(|(file, _)| nodes.iter().filter(|n| idx.nodes[n.get()].file == *file).count())
                .collect();
            // Stable: equal counts keep the order the files were named in.
            let mut order: Vec<usize> = (0..entries.len()).collect();
            order.sort_by_key(|&i| std::cmp::Reverse(counts[i]));
            let rank = |file: Option<FileId>| order.iter().position(|&i| entries[i].0 == file).unwrap_or(usize::MAX);
            nodes.sort_by_cached_key(|n| {
                let node = &idx.nodes[n.get()];
                (rank(node.file), node.line)
            });
            let mut files = Vec::with_capacity(order.len());
            let mut end = 0;
            for &i in &order {
                let (file, start_line) = entries[i];
                end += counts[i] as u32;
                files.push(FunctionFile { file, start_line, nodes_end: end });
            }
            if let Some(own) = files.first() {
                let info = &mut idx.functions[f];
                info.file = own.file;
                info.start_line = own.start_line;
            }
            idx.function_files.push(files);
        }
        idx.nodes_by_function = by_function;
    }
}

/// Marks "no line" or "no function" in a [`NodeRef`].
pub(crate) const NONE: u32 = u32::MAX;

/// A node as one frame of a location refers to it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NodeRef {
    pub(crate) node: u32,
    /// Once the index is built: the walk's slot for the node's line when
    /// several nodes share that line, else [`NONE`] (a line with one node
    /// has that node's costs). Ask [`NodeInfo::source_line`] for the line.
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
    }
}

/// Walks all samples for the sample types `types`, split in two halves on
/// two threads when there are many, and adds the halves up.
fn walk_costs(profile: &Profile, table: &LocationTable, types: &[usize], sizes: (usize, usize, usize)) -> Costs {
    match types.len() {
        1 => walk_split(profile, table, types, sizes, One),
        n => walk_split(profile, table, types, sizes, Many(n)),
    }
}

fn walk_split<W: Width>(profile: &Profile, table: &LocationTable, types: &[usize], sizes: (usize, usize, usize), w: W) -> Costs {
    let (mut costs, rest) = in_halves(profile.samples.len(), |samples| walk_range(profile, samples, table, types, sizes, w));
    if let Some(rest) = rest {
        costs.absorb(rest);
    }
    costs
}

/// How many sample types a walk carries per entity: a constant one for the
/// common walk of the shown type, so that its adds are single adds.
trait Width: Copy + Send + Sync {
    fn get(self) -> usize;
}

#[derive(Clone, Copy)]
struct One;

impl Width for One {
    #[inline(always)]
    fn get(self) -> usize {
        1
    }
}

#[derive(Clone, Copy)]
struct Many(usize);

impl Width for Many {
    #[inline(always)]
    fn get(self) -> usize {
        self.0
    }
}

/// Flat and cum per node, line and function over some samples, for the
/// sample types `types`. Each is counted once per sample, found with a
/// per-entity stamp of the last sample that reached it.
fn walk_range<W: Width>(
    profile: &Profile,
    samples: std::ops::Range<usize>,
    table: &LocationTable,
    types: &[usize],
    sizes: (usize, usize, usize),
    w: W,
) -> Costs {
    let stride = w.get();
    let mut out = Costs::new(sizes, stride);
    let mut node_seen = vec![0u32; sizes.0];
    let mut line_seen = vec![0u32; sizes.1];
    let mut function_seen = vec![0u32; sizes.2];
    let mut values = vec![0i64; stride];
    for i in samples {
        let sample = profile.sample(i);
        if !table.values_of(sample, types, &mut values) {
            continue;
        }
        let values = &values[..stride];
        // Stamps start at 1 so that 0 means "never"; they wrap only after
        // 2^32 samples in one walk, which no decodable profile reaches.
        let stamp = i as u32 + 1;
        for (r, _) in table.frames(sample) {
            let n = r.node as usize;
            if node_seen[n] == stamp {
                continue;
            }
            node_seen[n] = stamp;
            add(&mut out.node_cum[n * stride..][..stride], values);
            let line = r.line as usize;
            if r.line != NONE && line_seen[line] != stamp {
                line_seen[line] = stamp;
                add(&mut out.line_cum[line * stride..][..stride], values);
            }
            let function = r.function as usize;
            if r.function != NONE && function_seen[function] != stamp {
                function_seen[function] = stamp;
                add(&mut out.function_cum[function * stride..][..stride], values);
            }
        }
        let Some(leaf) = table.leaf(sample) else { continue };
        add(&mut out.node_flat[leaf.node as usize * stride..][..stride], values);
        if leaf.line != NONE {
            add(&mut out.line_flat[leaf.line as usize * stride..][..stride], values);
        }
        if leaf.function != NONE {
            add(&mut out.function_flat[leaf.function as usize * stride..][..stride], values);
        }
    }
    out
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
    use crate::analysis::test_profiles::profile;

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
    }

    /// `helper` is recorded under its own file and, where it was inlined
    /// into `caller`, under `caller.go`: one function with the costs of
    /// both, its cum once per sample, shown in the file with most of it.
    #[test]
    fn a_function_under_two_file_names_is_one_function() {
        let p = profile(&[
            ("helper:3 helper:4 main:1", 5),
            ("helper@caller.go:3+caller:8 helper:4 main:1", 7),
            ("helper@caller.go:3+caller:8 main:1", 2),
        ]);
        let idx = Index::build(&p);
        let helpers: Vec<FuncId> = idx.function_ids().filter(|&f| idx.function(f).name == "helper").collect();
        assert_eq!(helpers.len(), 1);
        let helper = helpers[0];
        assert_eq!(idx.function_cost(helper, SampleType(0)), Cost { flat: 14, cum: 14 });
        let info = idx.function(helper);
        assert_eq!(info.file.map(|f| idx.file(f)), Some("helper.go"));
        let names = |nodes: &[NodeId]| nodes.iter().map(|&n| idx.node_name(n)).collect::<Vec<_>>();
        assert_eq!(names(idx.nodes_of_function(helper)), ["helper helper.go:3", "helper helper.go:4"]);
        let caller_go = idx.file_ids().find(|&f| idx.file(f) == "caller.go");
        assert_eq!(names(idx.nodes_of_function_in(helper, caller_go)), ["helper caller.go:3"]);
        assert_eq!(idx.all_nodes_of_function(helper).len(), 3);
        let files: Vec<Option<&str>> = idx.function_files(helper).iter().map(|g| g.file.map(|f| idx.file(f))).collect();
        assert_eq!(files, [Some("helper.go"), Some("caller.go")]);
        assert_eq!(
            costs(&idx),
            vec![
                ("caller caller.go:8".into(), 0, 9),
                ("helper caller.go:3".into(), 9, 9),
                ("helper helper.go:3".into(), 5, 5),
                ("helper helper.go:4".into(), 0, 12),
                ("main main.go:1".into(), 0, 14),
            ]
        );
    }

    #[test]
    fn diff_subtracts_and_totals_are_the_base() {
        let new = profile(&[("a:1 main:1", 30), ("b:1 main:1", 5)]);
        let base = profile(&[("a:1 main:1", 10), ("b:1 main:1", 5)]);
        let idx = Index::build_diff(&new, &base).unwrap();
        assert_eq!(costs(&idx), vec![("a a.go:1".into(), 20, 20), ("main main.go:1".into(), 0, 20)]);
        assert_eq!(idx.total(SampleType(0)), 15);
    }

    /// Every cost of every sample type, in id order.
    fn all_costs(index: &Index) -> Vec<Vec<Cost>> {
        (0..index.sample_types().len())
            .map(SampleType)
            .map(|t| {
                let nodes = index.node_ids().map(|n| index.node_cost(n, t));
                let lines = index.line_ids().map(|l| index.line_cost(l, t));
                nodes.chain(lines).chain(index.function_ids().map(|f| index.function_cost(f, t))).collect()
            })
            .collect()
    }

    /// Built for one type first, the index answers every type as the one
    /// built for all at once does, whichever type comes first and whether
    /// the rest is walked by `build_rest` or by a first question.
    #[test]
    fn one_type_first_answers_as_all_at_once_on_the_fixtures() {
        let fixtures: [(&str, &[u8]); 4] = [
            ("heap", include_bytes!("../../tests/fixtures/profiles/heap.pb.gz")),
            ("cpu", include_bytes!("../../tests/fixtures/profiles/cpu.pb.gz")),
            ("heap2", include_bytes!("../../tests/fixtures/profiles/heap2.pb.gz")),
            ("mutex", include_bytes!("../../tests/fixtures/profiles/mutex.pb.gz")),
        ];
        let decoded: Vec<(&str, Arc<Profile>)> =
            fixtures.iter().map(|(name, bytes)| (*name, Arc::new(crate::profile::decode(bytes, &Default::default()).unwrap()))).collect();
        for (name, p) in &decoded {
            let want = all_costs(&Index::build(p));
            assert!(want.iter().flatten().any(|c| !c.is_zero()), "{name}");
            for first in (0..p.sample_types.len()).map(SampleType) {
                let index = Index::build_first(p.clone(), None, first).unwrap();
                let others: Vec<bool> = (0..p.sample_types.len()).map(|t| index.is_built(SampleType(t))).collect();
                assert_eq!(others.iter().filter(|&&b| b).count(), 1, "{name}: only {first:?} is walked");
                assert!(index.is_built(first));
                if first.0 % 2 == 0 {
                    index.build_rest();
                    assert!((0..p.sample_types.len()).all(|t| index.is_built(SampleType(t))));
                }
                assert_eq!(all_costs(&index), want, "{name}, {first:?} first");
            }
        }
        // A diff: the heap profile less the other heap profile.
        let (heap, heap2) = (&decoded[0].1, &decoded[2].1);
        let want = all_costs(&Index::build_diff(heap, heap2).unwrap());
        let index = Index::build_first(heap.clone(), Some(heap2.clone()), SampleType(1)).unwrap();
        assert_eq!(all_costs(&index), want);
        assert_eq!(index.total(SampleType(0)), Index::build_diff(heap, heap2).unwrap().total(SampleType(0)));
        let cpu = &decoded[1].1;
        assert!(Index::build_first(heap.clone(), Some(cpu.clone()), SampleType(0)).is_err());
    }
}
