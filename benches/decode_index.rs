//! Decode (gunzip + protobuf + id resolution) and decode + `Index::build`
//! on synthetic Go heap profiles: a large one (1M samples, read from
//! `.tools/bench/large.pb.gz` or `$PPROF_LSP_BENCH_PROFILE`, generated
//! there when missing) and a 50k-sample one generated in memory.
//!
//!     cargo bench --bench decode_index
//!     cargo bench --bench decode_index -- small     # only the 50k variant

#[path = "support/synth.rs"]
mod synth;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pprof_lsp::analysis::Index;
use pprof_lsp::profile::{decode, DecodeOptions};

fn large_profile_bytes() -> Vec<u8> {
    std::fs::read(synth::bench_profile()).expect("reading the benchmark profile")
}

fn small_profile_bytes() -> Vec<u8> {
    let params = synth::Params { samples: 50_000, functions: 12_500, locations: 50_000, ..Default::default() };
    synth::to_gzipped_protobuf(&synth::generate(&params))
}

fn bench_one(c: &mut Criterion, group_name: &str, data: &[u8], samples: usize, time: Duration) {
    let opts = DecodeOptions::default();
    let mut group = c.benchmark_group(group_name);
    group.sample_size(samples).measurement_time(time).warm_up_time(Duration::from_secs(2));
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function("decode", |b| b.iter(|| decode(black_box(data), &opts).expect("decodes")));
    group.bench_function("decode+index", |b| {
        b.iter(|| {
            let profile = decode(black_box(data), &opts).expect("decodes");
            Index::build(&profile)
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    // Skip the expensive setup of a group that the filter excludes.
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    if wanted("small_50k/decode+index") {
        let small = small_profile_bytes();
        bench_one(c, "small_50k", &small, 20, Duration::from_secs(5));
    }
    if wanted("large_1m/decode+index") {
        let large = large_profile_bytes();
        bench_one(c, "large_1m", &large, 10, Duration::from_secs(20));
    }
}

criterion_group!(decode_index, benches);
criterion_main!(decode_index);
