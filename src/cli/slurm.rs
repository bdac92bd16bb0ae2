//! `sweep slurm`: write (and with `--submit`, submit) a Slurm job array that runs an
//! experiment's shards, one array task per shard, and a report job that waits for the array
//! (`afterany`) and rebuilds the tables. Slurm schedules; sweep only splits the runs.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{PlanArgs, SlurmArgs, prepare};
use crate::error::{Error, Result};
use crate::store::SLURM;
use crate::store::atomic::write as write_atomic;
use crate::store::safe;

pub(super) fn execute(args: &SlurmArgs) -> Result<()> {
    if let Some(jobs) = args.plan.jobs {
        return Err(Error::Usage(format!(
            "--jobs {jobs} does not apply to `sweep slurm`: each array task trains \
             --cpus-per-task runs at once (now {})",
            args.cpus_per_task
        )));
    }
    // The memory check is for one array task: its runs at once.
    let plan = PlanArgs {
        jobs: Some(args.cpus_per_task),
        ..args.plan.clone()
    };
    let p = prepare(&plan)?;
    one_line(&p.out)?;
    std::fs::create_dir_all(&p.out).map_err(|e| Error::io(&p.out, e))?;
    safe::dir(&p.out.join(SLURM))?;
    safe::dir(&p.out.join(SLURM).join("logs"))?;
    let abs = |path: &Path| std::fs::canonicalize(path).map_err(|e| Error::io(path, e));
    let paths = Paths {
        binary: abs(&std::env::current_exe().map_err(|e| Error::io(Path::new("sweep"), e))?)?,
        experiment: abs(&p.exp.path)?,
        out: abs(&p.out)?,
        workdir: abs(Path::new("."))?,
    };
    for path in [&paths.binary, &paths.experiment, &paths.out, &paths.workdir] {
        one_line(path)?;
    }
    let max_array = max_array_size();
    let mut arrays = Vec::new();
    // One array for a sweep; one per stage, in order, for a halving search or a race.
    let is_staged = p.exp.search.halving.is_some() || p.exp.search.race.is_some();
    for (stage, runs) in stage_runs(&p).into_iter().enumerate() {
        let staged = is_staged.then_some(stage);
        let wanted = args.tasks.unwrap_or(runs.min(1000) as u32) as usize;
        // Array indices run 0..tasks-1 and must stay below MaxArraySize.
        let tasks = wanted.min(runs).min(max_array.unwrap_or(usize::MAX)).max(1);
        let name = staged.map_or("sweep.sbatch".into(), |k| format!("stage{k}.sbatch"));
        let path = paths.out.join("slurm").join(name);
        let script = array_script(args, &p.exp.name, &paths, tasks, staged);
        write_atomic(&path, script.as_bytes())?;
        note!(
            "sweep: {runs} runs in {tasks} array task(s) of about {} run(s) each{}; wrote {}",
            runs.div_ceil(tasks),
            max_array.map_or(String::new(), |m| format!(" (cluster MaxArraySize {m})")),
            path.display()
        );
        arrays.push(path);
    }
    let report = paths.out.join("slurm/report.sbatch");
    write_atomic(&report, report_script(args, &p.exp.name, &paths).as_bytes())?;
    note!("sweep: wrote {}", report.display());
    if args.submit {
        submit(&arrays, &report)?;
    }
    Ok(())
}

/// How many runs each array trains: every run for a sweep; for a halving search, each
/// stage's (the configurations its rungs keep, on every seed); for a race, each block's at
/// most (no configuration eliminated), then the fresh seeds of the survivors re-evaluated.
fn stage_runs(p: &crate::plan::Prepared) -> Vec<usize> {
    let seeds = p.exp.axis(crate::settings::Key::Seed).values.len();
    if let Some(race) = &p.exp.search.race {
        let configs = p.runs.len() / seeds.max(1);
        let looks = race.looks(race.budget);
        let mut runs: Vec<usize> = std::iter::once(0)
            .chain(looks.iter().copied())
            .collect::<Vec<_>>()
            .windows(2)
            .map(|w| configs * (w[1] - w[0]))
            .collect();
        if race.fresh > 0 {
            runs.push(race.reevaluate.unwrap_or(configs).min(configs) * race.fresh);
        }
        return runs;
    }
    let Some(halving) = &p.exp.search.halving else {
        return vec![p.runs.len()];
    };
    let mut alive = p.runs.len() / seeds.max(1);
    let mut runs = vec![alive * seeds];
    for k in 0..halving.rungs.len() {
        alive = halving.kept(k, alive);
        runs.push(alive * seeds);
    }
    runs
}

/// Submits the arrays, each after the one before has ended (`afterany`), then the report
/// job after the last; prints the job ids.
fn submit(arrays: &[PathBuf], report: &Path) -> Result<()> {
    let mut ids: Vec<String> = Vec::new();
    for array in arrays {
        let mut args = Vec::new();
        if let Some(previous) = ids.last() {
            args.push(format!("--dependency=afterany:{previous}").into());
        }
        args.push(array.as_os_str().to_owned());
        ids.push(sbatch(&args)?);
    }
    let last = ids.last().cloned().unwrap_or_default();
    let dependency = format!("--dependency=afterany:{last}");
    let report_id = sbatch(&[dependency.into(), report.as_os_str().to_owned()])?;
    let arrays = match ids.len() {
        1 => format!("array job {}", ids[0]),
        _ => format!("stage array jobs {}", ids.join(", ")),
    };
    super::print(&format!("submitted {arrays} and report job {report_id}\n"))
}

struct Paths {
    binary: PathBuf,
    experiment: PathBuf,
    out: PathBuf,
    /// The current directory.
    workdir: PathBuf,
}

fn array_script(
    args: &SlurmArgs,
    name: &str,
    p: &Paths,
    tasks: usize,
    stage: Option<usize>,
) -> String {
    let throttle = args.throttle.map_or(String::new(), |m| format!("%{m}"));
    let (job, stage) = match stage {
        Some(k) => (format!("{name}-stage{k}"), format!(" --stage {k}")),
        None => (name.to_owned(), String::new()),
    };
    format!(
        "#!/bin/bash\n\
         # Written by `sweep slurm`: one array task per shard of the experiment's runs.\n\
         #SBATCH --job-name=sweep-{job}\n\
         #SBATCH --array=0-{last}{throttle}\n\
         #SBATCH --cpus-per-task={cpus}\n\
         {placement}{chdir}\
         #SBATCH --output={out}/slurm/logs/%A_%a.out\n\
         set -euo pipefail\n\
         exec {bin} run {exp}{overrides} --out {out} --shard auto{stage} --jobs \"${{SLURM_CPUS_PER_TASK:-1}}\" --quiet\n",
        last = tasks - 1,
        cpus = args.cpus_per_task,
        placement = placement(args),
        // Paths in `--set` values are relative to where `sweep slurm` ran.
        chdir = if args.plan.overrides.is_empty() {
            String::new()
        } else {
            format!("#SBATCH --chdir={}\n", quote(&p.workdir))
        },
        out = quote(&p.out),
        bin = quote(&p.binary),
        exp = quote(&p.experiment),
        overrides = args
            .plan
            .overrides
            .iter()
            .map(|o| format!(" --set {}", quote_word(&o.text())))
            .collect::<String>(),
    )
}

fn report_script(args: &SlurmArgs, name: &str, p: &Paths) -> String {
    format!(
        "#!/bin/bash\n\
         # Written by `sweep slurm`: runs after every array task has ended (afterany).\n\
         #SBATCH --job-name=sweep-{name}-report\n\
         #SBATCH --cpus-per-task=1\n\
         {placement}\
         #SBATCH --output={out}/slurm/logs/report_%j.out\n\
         set -euo pipefail\n\
         exec {bin} report {out}\n",
        placement = placement(args),
        out = quote(&p.out),
        bin = quote(&p.binary),
    )
}

/// The time limit and partition lines, the same for the array and the report job.
fn placement(args: &SlurmArgs) -> String {
    let partition = args
        .partition
        .as_ref()
        .map_or(String::new(), |q| format!("#SBATCH --partition={q}\n"));
    format!("#SBATCH --time={}\n{partition}", args.time)
}

/// A path as one shell word.
fn quote(path: &Path) -> String {
    quote_word(&path.display().to_string())
}

/// Any text as one shell word.
fn quote_word(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+=:".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Refuses a path with a control character (a line break): in an `#SBATCH` line, where
/// shell quoting does not apply, it would end the line and start another.
fn one_line(path: &Path) -> Result<()> {
    let text = path.display().to_string();
    if !text.chars().any(char::is_control) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "the path {} has a control character (a line break?); `sweep slurm` writes it into \
         #SBATCH lines, which allow none: use a path without one",
        crate::error::quoted(&text.escape_default().to_string())
    )))
}

/// The cluster's MaxArraySize, when `scontrol` can tell.
fn max_array_size() -> Option<usize> {
    let out = Command::new("scontrol")
        .args(["show", "config"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("MaxArraySize"))?;
    line.split('=').nth(1)?.trim().parse().ok()
}

/// Submits with `sbatch --parsable`; returns the job id.
fn sbatch(args: &[std::ffi::OsString]) -> Result<String> {
    let out = Command::new("sbatch").arg("--parsable").args(args).output().map_err(|e| {
        Error::Usage(format!("cannot run sbatch ({e}); is this a Slurm login node? Without --submit the scripts are only written"))
    })?;
    if !out.status.success() {
        return Err(Error::Incomplete(format!(
            "sbatch failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text.trim().split(';').next().unwrap_or("").to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn time_limits_in_slurms_formats_only() {
        for good in [
            "30",
            "30:00",
            "01:00:00",
            "2-00",
            "2-12:30",
            "1-00:00:00",
            "UNLIMITED",
            "0",
        ] {
            assert_eq!(super::super::parse_slurm_time(good), Ok(good.to_owned()));
        }
        for bad in [
            "", "1h", "01:60:00", "1:2:3:4", "-5", "x-01", "1-", "01::00",
        ] {
            let err = super::super::parse_slurm_time(bad).unwrap_err();
            assert!(err.contains("is not a Slurm time limit"), "{bad}: {err}");
        }
    }

    #[test]
    fn partitions_are_slurm_names_only() {
        // Regression (issue #22): `--partition $'gpu\necho INJECTED'` was written as is into
        // both scripts, its second line a command of the job.
        for good in ["gpu", "short,long", "a-b_c.d", "GPU2"] {
            assert_eq!(super::super::parse_slurm_name(good), Ok(good.to_owned()));
        }
        for bad in [
            "",
            "gpu\necho INJECTED",
            "gpu ",
            "a,,b",
            "gpu;x",
            "$(id)",
            "g\u{7}",
        ] {
            let err = super::super::parse_slurm_name(bad).unwrap_err();
            assert!(
                err.contains("is not a Slurm name; allowed: letters"),
                "{bad:?}: {err}"
            );
            assert!(!err.contains('\n'), "{bad:?}: {err}");
        }
        assert!(one_line(Path::new("/a\nb")).is_err());
        assert!(one_line(Path::new("/a b/c")).is_ok());
    }

    #[test]
    fn both_scripts_carry_the_partition_and_time_limit() {
        // Regression: the report job went to the default partition with its default limit.
        let cli = crate::cli::Cli::parse_from([
            "sweep",
            "slurm",
            "e.toml",
            "--tasks",
            "4",
            "--partition",
            "gpu",
            "--time",
            "00:10:00",
            "--throttle",
            "2",
        ]);
        let crate::cli::Command::Slurm(args) = cli.command else {
            panic!("not slurm")
        };
        let paths = Paths {
            binary: "/b/sweep".into(),
            experiment: "/e.toml".into(),
            out: "/o u t".into(),
            workdir: "/w".into(),
        };
        let array = array_script(&args, "x", &paths, 4, None);
        let report = report_script(&args, "x", &paths);
        for script in [&array, &report] {
            assert!(
                script.contains("#SBATCH --partition=gpu\n#SBATCH --time=00:10:00\n")
                    || script.contains("#SBATCH --time=00:10:00\n#SBATCH --partition=gpu\n"),
                "{script}"
            );
        }
        assert!(array.contains("#SBATCH --array=0-3%2\n"), "{array}");
        assert!(array.contains("--out '/o u t' --shard auto"), "{array}");
        assert!(
            report.ends_with("exec /b/sweep report '/o u t'\n"),
            "{report}"
        );
    }
}
