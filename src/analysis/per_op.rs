//! Values per operation of benchmark profiles: two runs of one benchmark
//! cover different numbers of operations, so a run is compared with the
//! one before it after scaling that one to the same number.

use crate::profile::Profile;

/// `base`, a profile of `base_operations` operations, scaled to cover
/// `operations` instead; `None` when it already does (or covers none,
/// which cannot be scaled).
pub fn scaled_base(base: &Profile, base_operations: u64, operations: u64) -> Option<Profile> {
    (base_operations > 0 && base_operations != operations).then(|| base.scaled(operations as f64 / base_operations as f64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_profiles::profile;

    #[test]
    fn a_base_is_scaled_to_the_run_s_operations() {
        let base = profile(&[("a:1", 100)]);
        let scaled = scaled_base(&base, 1000, 2000).unwrap();
        assert_eq!(scaled.sample(0).values, [200]);
        assert!(scaled_base(&base, 2000, 2000).is_none());
        assert!(scaled_base(&base, 0, 2000).is_none());
    }
}
