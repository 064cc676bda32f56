//! Go tests and benchmarks as text: finding `func TestXxx(t *testing.T)`
//! and `func BenchmarkXxx(b *testing.B)` in a `_test.go` file, and reading
//! what `go test` prints (benchmark results, failures, compiler errors).
//! Pure: takes strings, returns plain data; running `go test` is
//! `source::gotest`'s job.

mod output;
mod scan;

pub use output::{parse_output, BenchResult, CompileError, Outcome};
pub use scan::{scan, Kind, TestFunc};
