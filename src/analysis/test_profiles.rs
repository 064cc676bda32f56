//! Small hand-written profiles for the analysis unit tests.

use crate::profile::{Function, FunctionIdx, Line, Location, LocationIdx, Profile, ValueType};

/// Builds a one-type profile from stacks written leaf first, locations
/// separated by spaces. A frame is `fn:line`, whose `Function` entry names
/// the file `fn.go`, or `fn@file:line` for an entry naming `file`;
/// `a:1+b:2` is one location whose line `a:1` is inlined into `b:2`.
pub(crate) fn profile(stacks: &[(&str, i64)]) -> Profile {
    let mut p = Profile { sample_types: vec![ValueType::new("v", "count")], ..Default::default() };
    let mut locs: Vec<String> = Vec::new();
    for (stack, value) in stacks {
        let mut ids = Vec::new();
        for loc in stack.split(' ') {
            let idx = locs.iter().position(|l| l == loc).unwrap_or_else(|| {
                let lines = loc.split('+').map(|frame| line(&mut p, frame)).collect();
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

fn line(p: &mut Profile, frame: &str) -> Line {
    let (function, line) = frame.rsplit_once(':').unwrap();
    let (name, filename) = match function.split_once('@') {
        Some((name, file)) => (name.to_string(), file.to_string()),
        None => (function.to_string(), format!("{function}.go")),
    };
    let f = p.functions.iter().position(|f| f.name == name && f.filename == filename).unwrap_or_else(|| {
        p.functions.push(Function { name, filename, ..Default::default() });
        p.functions.len() - 1
    });
    Line { function: FunctionIdx(f as u32), line: line.parse().unwrap(), column: 0 }
}
