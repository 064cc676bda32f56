//! Finding the tests and benchmarks of a `_test.go` file by their
//! declarations, the way `go test` recognises them: `Test` or `Benchmark`
//! followed by nothing or by a name that does not start with a lower-case
//! letter, taking one `*testing.T` or `*testing.B`.

/// What `go test` would run a function as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Test,
    Benchmark,
}

/// A test or benchmark function found in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestFunc {
    pub name: String,
    pub kind: Kind,
    /// 0-based line of the `func` keyword.
    pub line: usize,
}

/// The tests and benchmarks declared at the top level of `text`, in order.
/// Sub-tests and sub-benchmarks (`t.Run`, `b.Run`) are not listed: they run
/// through their parent.
pub fn scan(text: &str) -> Vec<TestFunc> {
    text.lines()
        .enumerate()
        .filter_map(|(line, l)| {
            let rest = l.strip_prefix("func ")?;
            let (name, params) = rest.split_once('(')?;
            let name = name.trim();
            let kind = kind_of(name)?;
            let param = params.split(')').next()?.trim();
            let (_, ty) = param.rsplit_once(' ').unwrap_or(("", param));
            let wanted = match kind {
                Kind::Test => "*testing.T",
                Kind::Benchmark => "*testing.B",
            };
            (ty.trim() == wanted && !param.contains(',')).then(|| TestFunc { name: name.to_string(), kind, line })
        })
        .collect()
}

fn kind_of(name: &str) -> Option<Kind> {
    let (kind, rest) = if let Some(rest) = name.strip_prefix("Benchmark") {
        (Kind::Benchmark, rest)
    } else {
        (Kind::Test, name.strip_prefix("Test")?)
    };
    if !rest.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    match rest.chars().next() {
        Some(c) if c.is_lowercase() => None,
        _ => Some(kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tests_and_benchmarks_as_go_test_does() {
        let text = "package x\n\nimport \"testing\"\n\n\
            func TestRender(t *testing.T) {}\n\
            func BenchmarkRender(b *testing.B) {\n\tb.Run(\"small\", func(b *testing.B) {})\n}\n\
            func Benchmark(b *testing.B) {}\n\
            func Test_under(t *testing.T) {}\n\
            func Testing(t *testing.T) {}\n\
            func Benchmarkfoo(b *testing.B) {}\n\
            func TestHelper(t *testing.T, n int) {}\n\
            func TestWrongType(b *testing.B) {}\n\
            func helper() {}\n\
            func (s *S) TestMethod(t *testing.T) {}\n\
            func BenchmarkΔ(b *testing.B) {}\n";
        let found: Vec<(String, Kind, usize)> = scan(text).into_iter().map(|f| (f.name, f.kind, f.line)).collect();
        assert_eq!(
            found,
            [
                ("TestRender".to_string(), Kind::Test, 4),
                ("BenchmarkRender".to_string(), Kind::Benchmark, 5),
                ("Benchmark".to_string(), Kind::Benchmark, 8),
                ("Test_under".to_string(), Kind::Test, 9),
                ("BenchmarkΔ".to_string(), Kind::Benchmark, 16),
            ]
        );
    }
}
