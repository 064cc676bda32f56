//! Work over many samples split in two halves on two threads.

use std::ops::Range;

/// Samples below which splitting across threads does not pay.
pub(crate) const PARALLEL_MIN_SAMPLES: usize = 50_000;

/// `work` over `0..n`: at once when `n` is below [`PARALLEL_MIN_SAMPLES`]
/// (the second part is then `None`), else over the first half on this
/// thread and the second on another. The caller adds the parts up.
pub(crate) fn in_halves<T: Send>(n: usize, work: impl Fn(Range<usize>) -> T + Sync) -> (T, Option<T>) {
    if n < PARALLEL_MIN_SAMPLES {
        return (work(0..n), None);
    }
    let mid = n / 2;
    std::thread::scope(|scope| {
        let second = scope.spawn(|| work(mid..n));
        let first = work(0..mid);
        // The work cannot panic on a validated profile; if it somehow
        // did, do the second half on this thread rather than lose it.
        (first, Some(second.join().unwrap_or_else(|_| work(mid..n))))
    })
}
