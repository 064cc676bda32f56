//! What a tool returns: its structured content (the JSON its output schema
//! describes) and a short text table for clients that read text, bounded
//! together to [`MAX_CHARS`] by dropping rows from the end and saying how
//! many were left out.

use rmcp::model::{CallToolResult, ContentBlock};
use serde::Serialize;

use super::ToolError;

/// The most characters a result carries, structured and text together.
pub const MAX_CHARS: usize = 40_000;

/// A tool's result type.
pub trait Output: Serialize {
    /// A short text rendering (a table), for clients that read text.
    fn text(&self) -> String;
    /// The rows bounding may drop from the end, and the count of rows
    /// left out that it adds to.
    fn rows(&mut self) -> (&mut dyn Rows, &mut usize);
}

/// A list of rows.
pub trait Rows {
    fn count(&self) -> usize;
    fn keep(&mut self, n: usize);
}

impl<T> Rows for Vec<T> {
    fn count(&self) -> usize {
        self.len()
    }

    fn keep(&mut self, n: usize) {
        self.truncate(n);
    }
}

/// Keeps the first `n` rows of `out`, counting the others as left out.
fn keep<O: Output>(out: &mut O, n: usize) {
    let (rows, omitted) = out.rows();
    *omitted += rows.count().saturating_sub(n);
    rows.keep(n);
}

/// The tool result for `result`: bounded output, or the error as a tool
/// error.
pub fn result<O: Output>(result: Result<O, ToolError>) -> CallToolResult {
    match result {
        Ok(out) => bounded(out),
        Err(e) => CallToolResult::error(vec![ContentBlock::text(e.0)]),
    }
}

fn bounded<O: Output>(mut out: O) -> CallToolResult {
    loop {
        let json = match serde_json::to_value(&out) {
            Ok(v) => v,
            Err(e) => return CallToolResult::error(vec![ContentBlock::text(format!("could not encode the result: {e}"))]),
        };
        let text = out.text();
        let size = json.to_string().len() + text.len();
        let rows = out.rows().0.count();
        if size <= MAX_CHARS || rows == 0 {
            let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
            result.structured_content = Some(json);
            return result;
        }
        // Rows are of similar size: cut to the share that fits, at least one.
        let fit = (rows as f64 * MAX_CHARS as f64 / size as f64) as usize;
        keep(&mut out, fit.min(rows - 1));
    }
}

/// Keeps the first `limit` of `rows`; how many were left out.
pub fn first<T>(rows: &mut Vec<T>, limit: u32) -> usize {
    let omitted = rows.len().saturating_sub(limit as usize);
    rows.truncate(limit as usize);
    omitted
}

/// An argument within its range, or the error naming it.
pub fn in_range(field: &str, value: u32, range: std::ops::RangeInclusive<u32>) -> Result<u32, ToolError> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(ToolError::new(format!("{field}: {value} is not between {} and {}", range.start(), range.end())))
    }
}

/// The line a truncated result ends its text with.
pub fn omitted_line(omitted: usize) -> String {
    if omitted == 0 {
        String::new()
    } else {
        format!("… {omitted} more rows left out (limit or size bound)\n")
    }
}
