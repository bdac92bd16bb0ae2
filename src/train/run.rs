//! One run of a sweep: its settings, its seed, and the id that names it everywhere (records,
//! tables, `--run`), derived from what decides its numbers and nothing else.

use sha2::{Digest, Sha256};

use crate::data::hex;
use crate::settings::{Key, Settings, SettingsParams};

/// Bumped whenever the training arithmetic changes the bits of any result, so that records
/// made by older code get other ids instead of silently failing `sweep rerun`. Version 4:
/// `tanh` by one fused-multiply-add polynomial instead of two plain ones (faster, same
/// accuracy); `exp`, `ln` and the initial normal draws (polar method) by the project's own
/// code instead of libm and `rand_distr`, whose last bits depend on the CPU.
pub const NUMERICS_VERSION: u32 = 4;

/// One run of an experiment.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// Position in grid order.
    pub index: usize,
    pub id: String,
    pub settings: Settings,
    pub seed: u64,
}

/// The run id: the first 12 hex digits of SHA-256 over the numerics version, every
/// setting by name in canonical order, the seed, and the data fingerprint.
pub fn run_id(settings: &SettingsParams, seed: u64, data_fingerprint: &str) -> String {
    run_id_of_version(settings, seed, data_fingerprint, NUMERICS_VERSION)
}

/// The id the same run had under numerics version `version`: a record of older numerics is
/// another run's record, not a damaged one.
pub fn run_id_of_version(
    settings: &SettingsParams,
    seed: u64,
    data_fingerprint: &str,
    version: u32,
) -> String {
    let mut text = format!("sweep-run numerics={version}\n");
    for key in Key::ALL {
        text += &format!("{}={}\n", key.name(), key.value_of(settings, seed));
    }
    text += &format!("data={data_fingerprint}\n");
    hex(&Sha256::digest(text.as_bytes()))[..12].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_are_stable_and_depend_on_everything() {
        let s = SettingsParams::default();
        // Pinned: the same settings give this id on any machine, in any version that keeps
        // NUMERICS_VERSION = 4.
        assert_eq!(run_id(&s, 0, "abc"), "4ef9987dec89");
        assert_ne!(run_id(&s, 1, "abc"), run_id(&s, 0, "abc"));
        assert_ne!(run_id(&s, 0, "abd"), run_id(&s, 0, "abc"));
        let other = SettingsParams {
            clip: f64::INFINITY,
            ..s.clone()
        };
        assert_ne!(run_id(&other, 0, "abc"), run_id(&s, 0, "abc"));
    }
}
