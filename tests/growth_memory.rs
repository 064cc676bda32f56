//! The growth history stays small: 20 snapshots of a 100k-sample heap
//! profile must add at most 50 MB. Measured with a counting allocator, so
//! the number is what the history really holds, not an estimate.

#[path = "../benches/support/synth.rs"]
mod synth;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Instant;

use pprof_lsp::analysis::{History, Index};

/// The system allocator, counting the bytes currently allocated.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as isize - layout.size() as isize, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MB: f64 = 1e6;

#[test]
fn twenty_snapshots_of_a_100k_sample_profile_add_at_most_50_mb() {
    // The benchmark generator's program shape (50k functions, 200k
    // locations) with 100k stacks: many distinct lines, the hard case.
    let params = synth::Params { samples: 100_000, ..Default::default() };
    let mut profile = synth::generate(&params);
    assert_eq!(profile.samples.len(), 100_000);
    let original = profile.sample_values.clone();
    let types = profile.sample_types.len();

    let before = LIVE.load(Ordering::Relaxed);
    let mut history = History::new(20);
    let mut lines = 0;
    let started = Instant::now();
    for i in 0..20 {
        // Every snapshot has other values: in-use values grow by 5% each.
        for (v, o) in profile.sample_values.iter_mut().zip(&original) {
            *v = o + o * i / 20;
        }
        let index = Index::build(&profile);
        lines = index.lines().len();
        history.record(60.0 * i as f64, &index);
    }
    let recorded = started.elapsed();
    let held = (LIVE.load(Ordering::Relaxed) - before) as f64;
    let started = Instant::now();
    let growth = history.growth("inuse_space").unwrap();
    let computed = started.elapsed();
    eprintln!(
        "20 snapshots of {} samples, {lines} source lines, {types} sample types ({} tracked): \
         history holds {:.1} MB (estimate {:.1} MB), {} interned lines; \
         recording took {recorded:.1?} (with indexing), growth over {} rows {computed:.1?}",
        profile.samples.len(),
        history.sample_types().len(),
        held / MB,
        history.heap_bytes() as f64 / MB,
        history.interned_lines(),
        growth.rows.len(),
    );
    assert_eq!(history.len(), 20);
    assert!(lines > 50_000, "the profile should have many lines, has {lines}");
    assert!(held <= 50.0 * MB, "20 snapshots hold {:.1} MB", held / MB);
    // The estimate the server can log is within a factor of two.
    let estimate = history.heap_bytes() as f64;
    assert!(estimate > held / 2.0 && estimate < held * 2.0, "estimate {estimate} vs measured {held}");
    // Values grew by 5% of the original per minute: the top line's growth
    // is exactly that.
    let top = &growth.rows[0];
    let first = top.flat as f64 / (1.0 + 19.0 / 20.0);
    assert!((top.flat_per_minute - first / 20.0).abs() <= first / 20.0 * 0.01, "{top:?}");
}
