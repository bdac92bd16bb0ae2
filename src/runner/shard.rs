//! Splitting a sweep's runs over independent processes (`--shard K/N`, or `--shard auto`
//! inside a Slurm array task): runs sorted by id and dealt round-robin, so every run is in
//! exactly one shard whatever N is, and a shard's share does not depend on grid order.

use crate::error::{Error, Result};
use crate::train::RunSpec;

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Parses `K/N` (1 <= K <= N) or `auto` (from the Slurm array task's environment).
    pub(crate) fn parse(spec: &str, env: impl Fn(&str) -> Option<String>) -> Result<Shard> {
        if spec == "auto" {
            return Shard::from_slurm(env);
        }
        let bad = || {
            Error::Usage(format!(
                "--shard `{spec}` is not allowed: use K/N with 1 <= K <= N (e.g. 2/8), or auto inside a Slurm array job"
            ))
        };
        let (k, n) = spec.split_once('/').ok_or_else(bad)?;
        let (index, count): (u64, u64) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Shard of a Slurm array task: `SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN + 1` of
    /// `SLURM_ARRAY_TASK_COUNT`.
    fn from_slurm(env: impl Fn(&str) -> Option<String>) -> Result<Shard> {
        let var = |name: &str| -> Result<u64> {
            let value = env(name).ok_or_else(|| {
                Error::Usage(format!(
                    "--shard auto needs a Slurm array task, but {name} is not set; outside Slurm use --shard K/N"
                ))
            })?;
            value
                .trim()
                .parse()
                .map_err(|_| Error::Usage(format!("{name} = `{value}` is not a number")))
        };
        let (id, count, min) = (
            var("SLURM_ARRAY_TASK_ID")?,
            var("SLURM_ARRAY_TASK_COUNT")?,
            var("SLURM_ARRAY_TASK_MIN")?,
        );
        let index = id.checked_sub(min).map(|i| i + 1).filter(|&i| i <= count).ok_or_else(|| {
            Error::Usage(format!(
                "SLURM_ARRAY_TASK_ID = {id} does not fit SLURM_ARRAY_TASK_MIN = {min} and SLURM_ARRAY_TASK_COUNT = {count}"
            ))
        })?;
        Ok(Shard { index, count })
    }

    /// The runs of this shard, in grid order.
    pub(crate) fn select(&self, runs: &[RunSpec]) -> Vec<RunSpec> {
        let mut ids: Vec<&str> = runs.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        let mine: std::collections::HashSet<&str> = ids
            .into_iter()
            .enumerate()
            .filter(|(p, _)| *p as u64 % self.count == self.index - 1)
            .map(|(_, id)| id)
            .collect();
        runs.iter()
            .filter(|r| mine.contains(r.id.as_str()))
            .cloned()
            .collect()
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::SettingsParams;

    fn runs(n: usize) -> Vec<RunSpec> {
        let settings = SettingsParams::default().check().unwrap();
        (0..n)
            .map(|i| RunSpec {
                index: i,
                id: format!(
                    "{:012x}",
                    (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 16
                ),
                settings: settings.clone(),
                seed: i as u64,
            })
            .collect()
    }

    #[test]
    fn every_run_in_exactly_one_shard_for_any_n() {
        let all = runs(23);
        for count in [1, 2, 3, 7, 23, 40] {
            let mut seen: Vec<usize> = (1..=count)
                .flat_map(|index| Shard { index, count }.select(&all))
                .map(|r| r.index)
                .collect();
            seen.sort_unstable();
            assert_eq!(seen, (0..23).collect::<Vec<_>>(), "N = {count}");
        }
        // Shards keep grid order.
        let part = Shard { index: 2, count: 3 }.select(&all);
        // At least one pair, or `windows(2).all` holds over nothing.
        assert!(part.len() > 1, "{} run(s) in shard 2/3", part.len());
        assert!(part.windows(2).all(|w| w[0].index < w[1].index));
    }

    #[test]
    fn parsing_and_slurm() {
        let none = |_: &str| None;
        assert_eq!(
            Shard::parse("2/8", none).unwrap(),
            Shard { index: 2, count: 8 }
        );
        for bad in ["0/4", "5/4", "x", "1/0", "-1/2"] {
            assert_eq!(Shard::parse(bad, none).unwrap_err().exit_code(), 2, "{bad}");
        }
        let err = Shard::parse("auto", none).unwrap_err().to_string();
        assert!(err.contains("SLURM_ARRAY_TASK_ID is not set"), "{err}");
        let env = |k: &str| match k {
            "SLURM_ARRAY_TASK_ID" => Some("7".to_owned()),
            "SLURM_ARRAY_TASK_COUNT" => Some("4".to_owned()),
            "SLURM_ARRAY_TASK_MIN" => Some("5".to_owned()),
            _ => None,
        };
        assert_eq!(
            Shard::parse("auto", env).unwrap(),
            Shard { index: 3, count: 4 }
        );
    }
}
