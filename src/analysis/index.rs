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

use crate::profile::{Profile, ValueType};

use super::select::SampleType;

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);
        impl $name {
            pub fn get(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id!(
    /// A distinct source file name, exactly as the profile spells it.
    FileId
);
id!(
    /// A distinct function (name and file).
    FuncId
);
id!(
    /// A distinct (function, line) or bare address.
    NodeId
);
id!(
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

/// A caller→callee step seen on some stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub caller: NodeId,
    pub callee: NodeId,
    /// True when every time this step was seen the callee was inlined.
    pub inline: bool,
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
    edges: Vec<Edge>,
    node_costs: Vec<Cost>,
    line_costs: Vec<Cost>,
    function_costs: Vec<Cost>,
    edge_weights: Vec<i64>,
    lines_by_file: Vec<Vec<LineId>>,
    nodes_by_function: Vec<Vec<NodeId>>,
}

impl Index {
    /// Indexes one profile.
    pub fn build(profile: &Profile) -> Index {
        let mut b = Builder::new(&profile.sample_types);
        b.add(profile, 1, false);
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
        b.add(profile, 1, false);
        b.add(base, -1, true);
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

    pub fn edges(&self) -> &[Edge] {
        &self.edges
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

    pub fn edge_weight(&self, index: usize, t: SampleType) -> i64 {
        self.edge_weights[index * self.stride() + t.0]
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

    pub fn find_file(&self, name: &str) -> Option<FileId> {
        self.files.iter().position(|f| f == name).map(|i| FileId(i as u32))
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
    edge_ids: FxHashMap<(NodeId, NodeId), u32>,
    node_seen: Vec<u32>,
    line_seen: Vec<u32>,
    function_seen: Vec<u32>,
    edge_seen: Vec<u32>,
    stamp: u32,
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
            edge_ids: FxHashMap::default(),
            node_seen: Vec::new(),
            line_seen: Vec::new(),
            function_seen: Vec::new(),
            edge_seen: Vec::new(),
            stamp: 0,
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
        self.index.function_costs.extend(std::iter::repeat_n(Cost::default(), self.stride));
        self.function_seen.push(0);
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
                self.index.line_costs.extend(std::iter::repeat_n(Cost::default(), self.stride));
                self.line_seen.push(0);
                id
            })
        });
        let id = NodeId(self.index.nodes.len() as u32);
        self.index.nodes.push(NodeInfo { function, line, address, source_line });
        self.index.node_costs.extend(std::iter::repeat_n(Cost::default(), self.stride));
        self.node_seen.push(0);
        self.node_ids.insert(key, id);
        id
    }

    fn next_stamp(&mut self) -> u32 {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            // After 2^32 samples the stamps wrap; clear them once.
            for v in [&mut self.node_seen, &mut self.line_seen, &mut self.function_seen, &mut self.edge_seen] {
                v.iter_mut().for_each(|s| *s = 0);
            }
            self.stamp = 1;
        }
        self.stamp
    }

    fn add(&mut self, profile: &Profile, sign: i64, is_base: bool) {
        let stride = self.stride;
        let functions: Vec<FuncId> =
            profile.functions.iter().map(|f| self.function(&f.name, &f.filename, f.start_line)).collect();
        // Nodes of each location, innermost first, in one flat vector.
        let mut starts = Vec::with_capacity(profile.locations.len() + 1);
        let mut location_nodes = Vec::with_capacity(profile.locations.len());
        for loc in &profile.locations {
            starts.push(location_nodes.len() as u32);
            if loc.lines.is_empty() {
                location_nodes.push(self.node(NodeKey::Address(loc.address)));
            }
            for l in &loc.lines {
                location_nodes.push(self.node(NodeKey::Line(functions[l.function.get()], l.line)));
            }
        }
        starts.push(location_nodes.len() as u32);

        let mut values = vec![0i64; stride];
        for sample in &profile.samples {
            let mut any = false;
            for (v, &raw) in values.iter_mut().zip(&sample.values) {
                *v = raw.wrapping_mul(sign);
                any |= raw != 0;
            }
            if !any || sample.locations.is_empty() {
                continue;
            }
            for (t, v) in values.iter().enumerate() {
                let abs = v.unsigned_abs() as i64;
                self.index.totals[t] = self.index.totals[t].wrapping_add(abs);
                if is_base {
                    self.base_totals[t] = self.base_totals[t].wrapping_add(abs);
                }
            }
            let stamp = self.next_stamp();
            let mut parent: Option<NodeId> = None;
            // Root first, and within a location outermost first, as pprof walks.
            for loc in sample.locations.iter().rev() {
                let range = starts[loc.get()] as usize..starts[loc.get() + 1] as usize;
                let last = range.len() - 1;
                for (ni, &node) in location_nodes[range].iter().enumerate().rev() {
                    self.add_cum(node, &values, stamp);
                    if let Some(p) = parent.filter(|&p| p != node) {
                        self.add_edge(p, node, ni != last, &values, stamp);
                    }
                    parent = Some(node);
                }
            }
            let leaf = location_nodes[starts[sample.locations[0].get()] as usize];
            self.add_flat(leaf, &values);
        }
        self.has_base |= is_base;
    }

    fn add_cum(&mut self, node: NodeId, values: &[i64], stamp: u32) {
        let stride = self.stride;
        if self.node_seen[node.get()] == stamp {
            return;
        }
        self.node_seen[node.get()] = stamp;
        add_to(&mut self.index.node_costs, node.get() * stride, values, |c, v| c.cum = c.cum.wrapping_add(v));
        let info = &self.index.nodes[node.get()];
        if let Some(line) = info.source_line {
            if self.line_seen[line.get()] != stamp {
                self.line_seen[line.get()] = stamp;
                add_to(&mut self.index.line_costs, line.get() * stride, values, |c, v| c.cum = c.cum.wrapping_add(v));
            }
        }
        if let Some(f) = info.function {
            if self.function_seen[f.get()] != stamp {
                self.function_seen[f.get()] = stamp;
                add_to(&mut self.index.function_costs, f.get() * stride, values, |c, v| c.cum = c.cum.wrapping_add(v));
            }
        }
    }

    fn add_flat(&mut self, node: NodeId, values: &[i64]) {
        let stride = self.stride;
        add_to(&mut self.index.node_costs, node.get() * stride, values, |c, v| c.flat = c.flat.wrapping_add(v));
        let info = &self.index.nodes[node.get()];
        if let Some(line) = info.source_line {
            add_to(&mut self.index.line_costs, line.get() * stride, values, |c, v| c.flat = c.flat.wrapping_add(v));
        }
        if let Some(f) = info.function {
            add_to(&mut self.index.function_costs, f.get() * stride, values, |c, v| c.flat = c.flat.wrapping_add(v));
        }
    }

    fn add_edge(&mut self, caller: NodeId, callee: NodeId, inline: bool, values: &[i64], stamp: u32) {
        let next = self.index.edges.len() as u32;
        let id = *self.edge_ids.entry((caller, callee)).or_insert(next);
        if id == next {
            self.index.edges.push(Edge { caller, callee, inline });
            self.index.edge_weights.extend(std::iter::repeat_n(0, self.stride));
            self.edge_seen.push(0);
        }
        let i = id as usize;
        if self.edge_seen[i] == stamp {
            return;
        }
        self.edge_seen[i] = stamp;
        self.index.edges[i].inline &= inline;
        for (w, v) in self.index.edge_weights[i * self.stride..][..self.stride].iter_mut().zip(values) {
            *w = w.wrapping_add(*v);
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

fn add_to(costs: &mut [Cost], start: usize, values: &[i64], f: impl Fn(&mut Cost, i64)) {
    for (c, &v) in costs[start..start + values.len()].iter_mut().zip(values) {
        f(c, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Function, FunctionIdx, Line, Location, LocationIdx, Sample};

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
            p.samples.push(Sample { locations: ids, values: vec![*value], labels: vec![] });
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
        let inline_edge = idx.edges().iter().find(|e| idx.node_name(e.callee).starts_with("helper")).unwrap();
        assert!(inline_edge.inline);
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
