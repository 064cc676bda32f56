//! The index of listed workspace files: a set of their full paths, and a
//! trie over their root-relative paths read from the last component
//! backwards, so that "every file ending in `catalog/catalog.go`" is one
//! subtree and the longest shared tail is one walk down from the root.

use rustc_hash::FxHashMap;

use super::norm::{join, NormPath};

const NONE: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Node {
    /// Files at or below this node.
    count: u32,
    first_child: u32,
    next_sibling: u32,
    /// Files whose relative path ends (reading backwards) here.
    first_file: u32,
}

impl Node {
    const EMPTY: Node = Node { count: 0, first_child: NONE, next_sibling: NONE, first_file: NONE };
}

/// A trie node; files ending in the same run of components share one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct SuffixNode(u32);

/// All listed workspace files.
#[derive(Debug)]
pub(super) struct FileIndex {
    /// Full normalised path of each file.
    paths: Vec<String>,
    /// Next file ending at the same trie node.
    next_at_node: Vec<u32>,
    exact: FxHashMap<String, u32>,
    comp_ids: FxHashMap<Box<str>, u32>,
    edges: FxHashMap<(u32, u32), u32>,
    nodes: Vec<Node>,
}

impl Default for FileIndex {
    fn default() -> Self {
        FileIndex {
            paths: Vec::new(),
            next_at_node: Vec::new(),
            exact: FxHashMap::default(),
            comp_ids: FxHashMap::default(),
            edges: FxHashMap::default(),
            nodes: vec![Node::EMPTY],
        }
    }
}

impl FileIndex {
    /// Adds `rel` below the normalised `root`. Absolute or empty relative
    /// paths are ignored, as are files already listed (overlapping roots).
    pub(super) fn add(&mut self, root: &str, rel: &str) {
        let rel = NormPath::new(rel);
        let rel_comps = rel.components();
        if rel_comps.is_empty() || rel.is_absolute() {
            return;
        }
        let full = join(root, &rel_comps.join("/"));
        if self.exact.contains_key(&full) {
            return;
        }
        let file = self.paths.len() as u32;
        self.exact.insert(full.clone(), file);
        self.paths.push(full);
        self.next_at_node.push(NONE);

        let mut node = 0u32;
        self.nodes[0].count += 1;
        for c in rel_comps.iter().rev() {
            let id = match self.comp_ids.get(*c) {
                Some(&id) => id,
                None => {
                    let id = self.comp_ids.len() as u32;
                    self.comp_ids.insert((*c).into(), id);
                    id
                }
            };
            node = match self.edges.get(&(node, id)) {
                Some(&child) => child,
                None => {
                    let child = self.nodes.len() as u32;
                    let mut n = Node::EMPTY;
                    n.next_sibling = self.nodes[node as usize].first_child;
                    self.nodes.push(n);
                    self.nodes[node as usize].first_child = child;
                    self.edges.insert((node, id), child);
                    child
                }
            };
            self.nodes[node as usize].count += 1;
        }
        self.next_at_node[file as usize] = self.nodes[node as usize].first_file;
        self.nodes[node as usize].first_file = file;
    }

    /// Number of files listed.
    pub(super) fn len(&self) -> usize {
        self.paths.len()
    }

    /// Whether `full` (normalised) is a listed file.
    pub(super) fn contains(&self, full: &str) -> bool {
        self.exact.contains_key(full)
    }

    /// How many trailing components of `comps` some file shares, and the
    /// node holding all such files. Depth 0 means none.
    pub(super) fn longest_suffix(&self, comps: &[&str]) -> (usize, SuffixNode) {
        let mut node = 0u32;
        let mut depth = 0;
        for c in comps.iter().rev() {
            let Some(&id) = self.comp_ids.get(*c) else { break };
            let Some(&child) = self.edges.get(&(node, id)) else { break };
            node = child;
            depth += 1;
        }
        (depth, SuffixNode(node))
    }

    /// Up to `limit` files below `node`, and how many there are in all.
    pub(super) fn files_under(&self, node: SuffixNode, limit: usize) -> (Vec<&str>, usize) {
        let total = self.nodes[node.0 as usize].count as usize;
        let mut out = Vec::new();
        let mut stack = vec![node.0];
        while let Some(n) = stack.pop() {
            if out.len() >= limit {
                break;
            }
            let nd = &self.nodes[n as usize];
            let mut f = nd.first_file;
            while f != NONE && out.len() < limit {
                out.push(self.paths[f as usize].as_str());
                f = self.next_at_node[f as usize];
            }
            let mut c = nd.first_child;
            while c != NONE {
                stack.push(c);
                c = self.nodes[c as usize].next_sibling;
            }
        }
        (out, total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(root: &str, files: &[&str]) -> FileIndex {
        let mut index = FileIndex::default();
        for f in files {
            index.add(root, f);
        }
        index
    }

    fn sorted_under(index: &FileIndex, node: SuffixNode, limit: usize) -> (Vec<String>, usize) {
        let (files, total) = index.files_under(node, limit);
        let mut files: Vec<String> = files.into_iter().map(String::from).collect();
        files.sort();
        (files, total)
    }

    #[test]
    fn longest_shared_tail() {
        let ix = index("/w", &["a/util/strings.go", "b/util/strings.go", "b/main.go", r"c\x\main.go"]);
        let cases: &[(&str, usize, &[&str])] = &[
            ("/x/a/util/strings.go", 3, &["/w/a/util/strings.go"]),
            ("/x/y/util/strings.go", 2, &["/w/a/util/strings.go", "/w/b/util/strings.go"]),
            ("/y/main.go", 1, &["/w/b/main.go", "/w/c/x/main.go"]),
            ("/y/x/main.go", 2, &["/w/c/x/main.go"]),
            ("/x/nothing.go", 0, &[]),
        ];
        for (path, depth, files) in cases {
            let p = NormPath::new(path);
            let (d, node) = ix.longest_suffix(&p.components());
            assert_eq!(d, *depth, "{path}");
            if d > 0 {
                assert_eq!(sorted_under(&ix, node, 10), (files.iter().map(|s| s.to_string()).collect(), files.len()));
            }
        }
    }

    #[test]
    fn duplicates_and_non_relative_names_are_not_listed() {
        let ix = index("/w", &["a.go", "./a.go", "/abs.go", "", "."]);
        assert_eq!(ix.len(), 1);
        assert!(ix.contains("/w/a.go"));
        assert!(!ix.contains("/abs.go"));
    }

    #[test]
    fn a_capped_listing_still_counts_everything() {
        let files: Vec<String> = (0..30).map(|i| format!("p{i:02}/doc.go")).collect();
        let ix = index("/w", &files.iter().map(String::as_str).collect::<Vec<_>>());
        let (_, node) = ix.longest_suffix(&["doc.go"]);
        let (some, total) = ix.files_under(node, 7);
        assert_eq!((some.len(), total), (7, 30));
    }
}
