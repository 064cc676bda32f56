//! Times the loading phases (read, gunzip, decode, index) of one profile.

use std::io::Read;
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: phases PROFILE");
    let t0 = Instant::now();
    let data = std::fs::read(&path).expect("read");
    let t1 = Instant::now();
    let mut plain = Vec::new();
    flate2::read::MultiGzDecoder::new(&data[..]).read_to_end(&mut plain).expect("gunzip");
    let t2 = Instant::now();
    let profile = pprof_lsp::profile::decode(&plain, &Default::default()).expect("decode");
    let t3 = Instant::now();
    let index = pprof_lsp::analysis::Index::build(&profile);
    let t4 = Instant::now();
    println!(
        "read {:?} gunzip {:?} decode {:?} index {:?}; {} samples, {} nodes, {} edges",
        t1 - t0,
        t2 - t1,
        t3 - t2,
        t4 - t3,
        profile.samples.len(),
        index.nodes().len(),
        pprof_lsp::analysis::CallGraph::build(&index, &[&profile]).edges().len()
    );
}
