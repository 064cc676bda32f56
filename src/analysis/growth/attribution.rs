//! Which function a source line is shown under. Several functions share a
//! line only through inlining; the line goes to the function of its node
//! with the largest |flat|, then the largest |cum|, then the smallest
//! name, in one snapshot. (The history keeps the answer of the latest
//! snapshot where the line has a value of the type.)

use std::cmp::Ordering;

use super::super::index::{Cost, FuncId, Index};
use super::super::select::SampleType;

/// For every line of `index` and each of the `tracked` types, line by line
/// (`tracked.len()` entries per line, in the index's line order): the
/// function the line goes to, or `None` where none of its nodes has a value
/// of that type.
pub(super) fn line_functions(index: &Index, tracked: &[SampleType]) -> Vec<Option<FuncId>> {
    let k = tracked.len();
    let mut best: Vec<Option<(Cost, FuncId)>> = vec![None; index.lines().len() * k];
    for n in index.node_ids() {
        let node = index.node(n);
        let (Some(line), Some(function)) = (node.source_line, node.function) else { continue };
        for (j, &t) in tracked.iter().enumerate() {
            let slot = &mut best[line.get() * k + j];
            let cost = index.node_cost(n, t);
            if cost.is_zero() {
                continue;
            }
            let better = match slot {
                None => true,
                Some((held, f)) => {
                    let key = |c: &Cost| (c.flat.abs(), c.cum.abs());
                    match key(&cost).cmp(&key(held)) {
                        Ordering::Greater => true,
                        Ordering::Less => false,
                        Ordering::Equal => index.function(function).name < index.function(*f).name,
                    }
                }
            };
            if better {
                *slot = Some((cost, function));
            }
        }
    }
    best.into_iter().map(|b| b.map(|(_, f)| f)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_profiles::profile;

    /// The function each line of the profile goes to, as `file:line function`.
    fn functions(stacks: &[(&str, i64)]) -> Vec<String> {
        let index = Index::build(&profile(stacks));
        let found = line_functions(&index, &[SampleType(0)]);
        index
            .line_ids()
            .zip(found)
            .map(|(l, f)| {
                let line = index.line(l);
                let name = f.map_or("-", |f| index.function(f).name.as_str());
                format!("{}:{} {name}", index.file(line.file), line.line)
            })
            .collect()
    }

    #[test]
    fn a_shared_line_goes_to_the_most_flat_then_cum_then_the_first_name() {
        // a is inlined into b on one line of one file (x.go:10).
        let shared = |a: i64, b: i64| functions(&[("a@x.go:10+b@x.go:10 main:1", a), ("b@x.go:10 main:2", b)]);
        assert!(shared(70, 50).contains(&"x.go:10 a".to_string()));
        assert!(shared(30, 50).contains(&"x.go:10 b".to_string()));
        // Equal flat: b also holds a's stack as cum.
        assert!(shared(50, 50).contains(&"x.go:10 b".to_string()));
        // Equal flat and cum: the smaller name.
        let tie = functions(&[("z@x.go:10+y@x.go:10 main:1", 5), ("y@x.go:10+z@x.go:10 main:2", 5)]);
        assert!(tie.contains(&"x.go:10 y".to_string()), "{tie:?}");
    }

    #[test]
    fn a_line_without_a_value_goes_to_no_function() {
        assert_eq!(functions(&[("a:1 main:1", 0)]), ["a.go:1 -", "main.go:1 -"]);
    }
}
