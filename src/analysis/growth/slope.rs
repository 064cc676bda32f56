//! The ordinary least-squares slope of values against time, in integers.
//! With `c_i = n·t_i − Σt`, the slope of y over t is `Σ c_i·y_i / Σ c_i·t_i`:
//! each snapshot has a weight `c_i`, a line's sum needs one multiply-add
//! per snapshot that has it, and a line missing from a snapshot adds
//! nothing, which is the same as counting it as 0 there. Times are whole
//! microseconds since the oldest snapshot, so a value that never changes
//! has a slope of exactly 0, whatever float rounding would have said.

/// The weights of a set of snapshot times.
#[derive(Clone, Debug)]
pub(super) struct Slope {
    weights: Vec<i128>,
    denominator: i128,
}

impl Slope {
    /// The weights for snapshots taken at `seconds`; `None` when they do
    /// not span any time.
    pub(super) fn new(seconds: &[f64]) -> Option<Slope> {
        let n = seconds.len() as i128;
        let origin = seconds.iter().copied().fold(f64::INFINITY, f64::min);
        let micros: Vec<i128> = seconds.iter().map(|&s| ((s - origin) * 1e6).round() as i128).collect();
        let sum_t: i128 = micros.iter().sum();
        let weights: Vec<i128> = micros.iter().map(|&t| n * t - sum_t).collect();
        let denominator = weights.iter().zip(&micros).fold(0i128, |acc, (c, t)| acc.saturating_add(c.saturating_mul(*t)));
        (denominator > 0).then_some(Slope { weights, denominator })
    }

    /// Adds snapshot `i`'s value to a sum of weighted values.
    pub(super) fn add(&self, sum: i128, i: usize, value: i64) -> i128 {
        sum.saturating_add(self.weights[i].saturating_mul(i128::from(value)))
    }

    /// The slope per minute of the values summed into `sum`.
    pub(super) fn per_minute(&self, sum: i128) -> f64 {
        sum as f64 / self.denominator as f64 * 60e6
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The slope per minute of `values` at `seconds`.
    fn slope(seconds: &[f64], values: &[i64]) -> Option<f64> {
        let s = Slope::new(seconds)?;
        Some(s.per_minute(values.iter().enumerate().fold(0, |sum, (i, &v)| s.add(sum, i, v))))
    }

    #[test]
    fn a_straight_line_gives_its_slope_and_a_constant_exactly_zero() {
        // 3 per second over uneven times, from any origin.
        let got = slope(&[100.0, 110.0, 140.0, 160.0], &[7, 37, 127, 187]).unwrap();
        assert!((got - 180.0).abs() < 1e-9, "{got}");
        let flat = slope(&[0.1, 0.7, 3.3], &[5, 5, 5]).unwrap();
        assert_eq!(flat.to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn the_fit_is_least_squares() {
        // t = 0, 10, 40, 60 s, y = 0, 100, 400, 500: Σdev·y = 19500 over
        // Σdev² = 2275, 60/7 per second.
        let got = slope(&[0.0, 10.0, 40.0, 60.0], &[0, 100, 400, 500]).unwrap();
        assert!((got - 3600.0 / 7.0).abs() < 1e-9, "{got}");
    }

    #[test]
    fn snapshots_at_one_instant_have_no_slope() {
        assert!(Slope::new(&[5.0, 5.0, 5.0]).is_none());
        assert!(Slope::new(&[]).is_none());
    }
}
