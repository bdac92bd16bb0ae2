//! End-to-end tests of records that lie (issue #22): a well-formed record that contradicts
//! its own run id, its epoch count, its evaluation schedule or its metrics' ranges is
//! damaged: `report` names it and leaves its run out, `run` sets it aside and trains the
//! run again, and the tables come out byte-identical to those of an untouched sweep.

use crate::common::*;
use serde_json::Value;

/// 12 runs: 2 learning rates x 6 seeds, 60 epochs, test every 20.
const BODY: &str = "[train]\nepochs = 60\neval_every = 20\nhidden_size = 8\n[grid]\n\
                    learning_rate = [0.05, 0.02]\nseed = { start = 0, count = 6 }\n";

/// Sweeps, tampers with one record by `edit`, and checks that `report` and `run` both
/// notice (naming `why`), and that `run` restores the untouched tables.
#[track_caller]
fn a_tampered_record_is_retrained(name: &str, edit: impl Fn(&mut Value), why: &str) {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), name, BODY);
    let out = dir.path().join("out");
    run_ok(&exp, &out, &[]);
    let before: Vec<String> = TABLES.iter().map(|t| read(&out.join(t))).collect();
    let mut record = record_value(&out, &first_id(&out));
    edit(&mut record);
    put_record(&out, &record);

    let o = sweep_on("report", &out, &[]);
    assert!(o.status.success(), "{name}: {}", stderr(&o));
    let err = stderr(&o);
    assert_contains(&err, why);
    assert_contains(&err, "1 of 12 runs have no record yet");
    assert_eq!(read(&out.join("runs.csv")).lines().count(), 12, "{name}");

    // `report` moved it aside already; a second tampered copy is set aside by `run` itself.
    put_record(&out, &record);
    let o = run_ok(&exp, &out, &[]);
    let err = stderr(&o);
    assert_contains(&err, why);
    assert_contains(&err, "its run is trained again");
    assert_contains(&err, "training 1 on");
    for (table, want) in TABLES.iter().zip(&before) {
        assert_eq!(&read(&out.join(table)), want, "{name}: {table}");
    }
}

#[test]
fn a_record_whose_settings_were_changed_is_retrained() {
    a_tampered_record_is_retrained(
        "lr",
        |r| r["settings"]["learning_rate"] = Value::from(0.5),
        "make run id",
    );
}

#[test]
fn a_record_whose_seed_was_changed_is_retrained() {
    a_tampered_record_is_retrained("seed", |r| r["seed"] = Value::from(7), "make run id");
}

#[test]
fn a_record_cut_to_fewer_epochs_than_its_status_says_is_retrained() {
    a_tampered_record_is_retrained(
        "cut",
        |r| r["metrics"].as_array_mut().unwrap().truncate(30),
        "it has 30 epoch(s) of metrics where a finished run of 60 epochs has 60",
    );
    a_tampered_record_is_retrained(
        "empty",
        |r| r["metrics"].as_array_mut().unwrap().clear(),
        "it has 0 epoch(s) of metrics",
    );
}

#[test]
fn a_record_without_its_last_evaluation_is_retrained() {
    a_tampered_record_is_retrained(
        "test",
        |r| r["metrics"][59]["test"] = Value::Null,
        "epoch 60 lacks test metrics",
    );
}

#[test]
fn a_record_with_an_impossible_metric_is_retrained_and_named() {
    // Regression: the error named runs.csv (the generated table), and blocked the directory.
    a_tampered_record_is_retrained(
        "acc",
        |r| r["metrics"][59]["test"]["accuracy"] = Value::from(5.0),
        "test accuracy 5 is not from 0 to 1",
    );
    a_tampered_record_is_retrained(
        "loss",
        |r| r["metrics"][10]["train"]["loss"] = Value::from(-1.0),
        "train loss -1 is not a finite number >= 0",
    );
}

#[test]
fn a_merge_leaves_out_a_record_that_contradicts_itself() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), "m", BODY);
    let shard = dir.path().join("shard");
    run_ok(&exp, &shard, &[]);
    let id = first_id(&shard);
    let mut record = record_value(&shard, &id);
    record["metrics"][59]["test"]["accuracy"] = Value::from(5.0);
    put_record(&shard, &record);
    let merged = dir.path().join("merged");
    let o = sweep()
        .arg("merge")
        .arg(&merged)
        .arg(&shard)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_contains(&stderr(&o), "it is left out of the merge");
    assert!(!store(&merged).ids().unwrap().contains(&id));
    assert_eq!(read(&merged.join("runs.csv")).lines().count(), 12);
}

#[test]
fn plan_counts_a_damaged_record_as_not_saved() {
    // Regression (#22): `plan` and `run --dry-run` counted a truncated record as saved.
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), "p", BODY);
    let out = dir.path().join("out");
    run_ok(&exp, &out, &[]);
    // The last record's frame cut short, and the log's writer gone: a torn tail.
    let logs = log_files(&out);
    assert_eq!(logs.len(), 1);
    let path = &logs[0];
    let whole = std::fs::read(path).unwrap();
    std::fs::write(path, &whole[..whole.len() - 20]).unwrap();
    for command in [&["plan"][..], &["run", "--dry-run"]] {
        let o = sweep()
            .args(command)
            .arg(&exp)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        assert_contains(&stdout(&o), "(11 of 12 runs already saved)");
    }
    // Nothing was moved by looking.
    assert_eq!(std::fs::read(path).unwrap(), &whole[..whole.len() - 20]);
}

#[test]
fn a_record_of_older_numerics_is_another_runs_not_a_damaged_one() {
    // Review: the id check must not call a record of an older NUMERICS_VERSION damaged (its
    // id is its version's: it is an unused record, as before the check).
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), "old", BODY);
    let out = dir.path().join("out");
    run_ok(&exp, &out, &[]);
    let mut record = record_value(&out, &first_id(&out));
    let settings: sweep::settings::SettingsParams =
        serde_json::from_value(record["settings"].clone()).unwrap();
    let seed = record["seed"].as_u64().unwrap();
    let fingerprint = record["data"]["fingerprint"].as_str().unwrap().to_owned();
    let old = sweep::train::run_id_of_version(
        &settings,
        seed,
        &fingerprint,
        sweep::train::NUMERICS_VERSION - 1,
    );
    record["run_id"] = Value::from(old.clone());
    put_record(&out, &record);
    let o = run_ok(&exp, &out, &[]);
    let err = stderr(&o);
    assert!(!err.contains("could not be read"), "{err}");
    assert_contains(&err, "1 record(s) in");
    assert!(store(&out).ids().unwrap().contains(&old));
    // A changed number under the same old id is still damaged.
    record["seed"] = Value::from(seed + 100);
    put_record(&out, &record);
    assert_contains(&stderr(&run_ok(&exp, &out, &[])), "make run id");
}
