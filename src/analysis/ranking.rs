//! The orders an editor lists costs in, besides pprof's `top` (`top.rs`):
//! every function hottest first (the workspace symbols), and one
//! function's hottest lines (what its code lens reports).

use super::index::{Cost, FuncId, Index};
use super::select::SampleType;

/// Every function with a cost of type `t`, hottest first: by |cum|, then
/// |flat|, then name, so the order is the same from run to run.
pub fn functions_by_cost(index: &Index, t: SampleType) -> Vec<(FuncId, Cost)> {
    let mut functions: Vec<(FuncId, Cost)> =
        index.function_ids().map(|f| (f, index.function_cost(f, t))).filter(|(_, c)| !c.is_zero()).collect();
    functions.sort_by(|a, b| {
        b.1.cum
            .unsigned_abs()
            .cmp(&a.1.cum.unsigned_abs())
            .then_with(|| b.1.flat.unsigned_abs().cmp(&a.1.flat.unsigned_abs()))
            .then_with(|| index.function(a.0).name.cmp(&index.function(b.0).name))
    });
    functions
}

/// The lines of function `f` (in the file it is placed in) with a cost of
/// type `t`, hottest first by |cum|, then by line; at most `n`.
pub fn hottest_lines_of_function(index: &Index, f: FuncId, t: SampleType, n: usize) -> Vec<(i64, Cost)> {
    let mut lines: Vec<(i64, Cost)> = index
        .nodes_of_function(f)
        .iter()
        .map(|&node| (index.node(node).line, index.node_cost(node, t)))
        .filter(|(_, c)| !c.is_zero())
        .collect();
    lines.sort_by(|a, b| b.1.cum.unsigned_abs().cmp(&a.1.cum.unsigned_abs()).then(a.0.cmp(&b.0)));
    lines.truncate(n);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_profiles::profile;

    fn named(index: &Index, ranked: &[(FuncId, Cost)]) -> Vec<(String, i64, i64)> {
        ranked.iter().map(|(f, c)| (index.function(*f).name.clone(), c.flat, c.cum)).collect()
    }

    #[test]
    fn functions_rank_by_cum_then_flat_then_name() {
        // main calls a (10), b (10 flat of its own), c (5); z is on no stack.
        let p = profile(&[("a:3 main:1", 10), ("b:4 main:2", 10), ("c:5 main:2", 5)]);
        let index = Index::build(&p);
        let ranked = functions_by_cost(&index, SampleType(0));
        assert_eq!(named(&index, &ranked), [
            ("main".to_string(), 0, 25),
            ("a".to_string(), 10, 10),
            ("b".to_string(), 10, 10),
            ("c".to_string(), 5, 5),
        ]);
    }

    #[test]
    fn a_function_s_lines_rank_by_cum_and_stop_at_n() {
        let p = profile(&[("a:3 main:1", 4), ("b:4 main:2", 10), ("c:5 main:2", 5), ("main:7", 1)]);
        let index = Index::build(&p);
        let main = index.function_ids().find(|&f| index.function(f).name == "main").unwrap();
        let lines = hottest_lines_of_function(&index, main, SampleType(0), 10);
        assert_eq!(lines, [(2, Cost { flat: 0, cum: 15 }), (1, Cost { flat: 0, cum: 4 }), (7, Cost { flat: 1, cum: 1 })]);
        assert_eq!(hottest_lines_of_function(&index, main, SampleType(0), 2).len(), 2);
    }
}
