//! A run record in few bytes, for the record logs ([`super::log`]): what a run shares with
//! the other runs of its configuration (experiment, settings, data) once per log as a
//! *context*, and per run its id, seed, status and metrics in binary.
//!
//! A loss is kept as its 8 bytes (the tables print it to the last bit). An accuracy is a
//! count of correct examples out of the set's size, so it is kept as that count, a varint of
//! one or two bytes, beside the size: `count as f64 / size as f64` is the correctly rounded
//! quotient, the same bits whichever fraction of that value the training divided. Should a
//! value not be such a quotient, the run keeps its accuracies as 8-byte floats instead.
//! About 10 bytes per epoch for a run evaluated every 100 epochs.

use serde::{Deserialize, Serialize};

use super::record::{DataRef, RECORD_FORMAT, RunRecord};
use crate::settings::SettingsParams;
use crate::train::{EpochMetrics, Eval, Status};

/// What the runs of one configuration share: written once per log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Context {
    pub experiment: String,
    pub settings: SettingsParams,
    pub data: DataRef,
}

impl Context {
    pub(crate) fn of(record: &RunRecord) -> Context {
        Context {
            experiment: record.experiment.clone(),
            settings: record.settings.clone(),
            data: record.data.clone(),
        }
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        // Serialising plain data to memory cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Context, String> {
        serde_json::from_slice(bytes).map_err(|e| format!("not a run context ({e})"))
    }
}

/// Payload kinds.
pub(crate) const CONTEXT: u8 = 1;
pub(crate) const RUN: u8 = 2;

/// The largest data set size whose accuracies are kept as counts.
const MAX_TOTAL: u64 = 1 << 24;

/// A run's payload: `record` under context number `context` of its log.
pub(crate) fn encode_run(record: &RunRecord, context: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(64 + record.metrics.len() * 10);
    out.push(RUN);
    put_varint(&mut out, u64::from(context));
    put_bytes(&mut out, record.run_id.as_bytes());
    put_varint(&mut out, record.seed);
    let (tag, epoch) = match record.status {
        Status::Ok => (0, 0),
        Status::Diverged { epoch } => (1, epoch),
        Status::Pruned { epoch } => (2, epoch),
    };
    out.push(tag);
    put_varint(&mut out, u64::from(epoch));
    out.extend_from_slice(&record.wall_ms.to_le_bytes());
    for (i, m) in record.metrics.iter().enumerate() {
        if u64::from(m.epoch) != i as u64 + 1 {
            return Err(format!("its epoch {} is numbered {}", i + 1, m.epoch));
        }
    }
    let tests: Vec<(u32, Eval)> = record
        .metrics
        .iter()
        .filter_map(|m| m.test.map(|t| (m.epoch, t)))
        .collect();
    let train: Vec<Eval> = record.metrics.iter().map(|m| m.train).collect();
    put_varint(&mut out, train.len() as u64);
    put_varint(&mut out, tests.len() as u64);
    let train_total = total_of(train.iter().map(|e| e.accuracy));
    let test_total = total_of(tests.iter().map(|(_, e)| e.accuracy));
    put_varint(&mut out, train_total);
    put_varint(&mut out, test_total);
    for e in &train {
        put_eval(&mut out, e, train_total);
    }
    let mut last = 0;
    for (epoch, e) in &tests {
        put_varint(&mut out, u64::from(epoch - last));
        last = *epoch;
        put_eval(&mut out, e, test_total);
    }
    Ok(out)
}

/// The run of a payload, given its log's contexts.
pub(crate) fn decode_run(
    payload: &[u8],
    contexts: &[Option<Context>],
) -> Result<RunRecord, String> {
    let mut r = Reader::new(payload);
    if r.byte()? != RUN {
        return Err("not a run".into());
    }
    let context = r.varint()?;
    let context = usize::try_from(context)
        .ok()
        .and_then(|c| contexts.get(c))
        .and_then(Option::as_ref)
        .ok_or_else(|| format!("it names context {context}, which its log does not have"))?;
    let run_id = String::from_utf8(r.bytes()?.to_vec()).map_err(|_| "its id is not text")?;
    let seed = r.varint()?;
    let status = match (r.byte()?, r.u32()?) {
        (0, 0) => Status::Ok,
        (1, epoch) => Status::Diverged { epoch },
        (2, epoch) => Status::Pruned { epoch },
        (tag, epoch) => return Err(format!("status {tag} (epoch {epoch}) is not one")),
    };
    let wall_ms = r.f64()?;
    let epochs = r.u32()?;
    let test_count = r.u32()?;
    let (train_total, test_total) = (r.varint()?, r.varint()?);
    let mut metrics = Vec::with_capacity(epochs.min(1 << 20) as usize);
    for epoch in 1..=epochs {
        let train = r.eval(train_total)?;
        metrics.push(EpochMetrics {
            epoch,
            train,
            test: None,
        });
    }
    let mut epoch = 0u32;
    for _ in 0..test_count {
        epoch = epoch
            .checked_add(r.u32()?)
            .ok_or("a test epoch overflows")?;
        let test = r.eval(test_total)?;
        let slot = metrics
            .get_mut(epoch.wrapping_sub(1) as usize)
            .filter(|m| m.test.is_none())
            .ok_or_else(|| format!("a test result is for epoch {epoch}, which it lacks"))?;
        slot.test = Some(test);
    }
    if !r.done() {
        return Err("it has bytes after its last epoch".into());
    }
    Ok(RunRecord {
        format: RECORD_FORMAT,
        run_id,
        experiment: context.experiment.clone(),
        seed,
        settings: context.settings.clone(),
        data: context.data.clone(),
        status,
        metrics,
        wall_ms,
    })
}

/// The set size `n` such that every accuracy is `count / n` to the bit, or 0 when there is
/// none small enough (they are then kept as floats).
fn total_of(accuracies: impl Iterator<Item = f64>) -> u64 {
    let mut total = 1u64;
    let values: Vec<f64> = accuracies.collect();
    for &a in &values {
        let Some(q) = denominator(a) else { return 0 };
        total = lcm(total, q);
        if total > MAX_TOTAL {
            return 0;
        }
    }
    let exact = values
        .iter()
        .all(|&a| (count(a, total) as f64 / total as f64).to_bits() == a.to_bits());
    if exact { total } else { 0 }
}

/// The smallest `q` with `a == p / q` (as the division rounds) for some whole `p`, by the
/// continued fraction of `a`; `None` outside [0, 1] or without one up to [`MAX_TOTAL`].
fn denominator(a: f64) -> Option<u64> {
    if !(0.0..=1.0).contains(&a) {
        return None;
    }
    let (mut h0, mut h1, mut k0, mut k1) = (0u64, 1u64, 1u64, 0u64);
    let mut x = a;
    for _ in 0..64 {
        let whole = x.floor();
        let w = whole as u64;
        let (h2, k2) = (w.checked_mul(h1)? + h0, w.checked_mul(k1)? + k0);
        if k2 > MAX_TOTAL {
            return None;
        }
        if (h2 as f64 / k2 as f64).to_bits() == a.to_bits() {
            return Some(k2);
        }
        (h0, h1, k0, k1) = (h1, h2, k1, k2);
        let frac = x - whole;
        if frac == 0.0 {
            return None;
        }
        x = 1.0 / frac;
    }
    None
}

fn count(a: f64, total: u64) -> u64 {
    (a * total as f64).round() as u64
}

fn lcm(a: u64, b: u64) -> u64 {
    let (mut x, mut y) = (a, b);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    (a / x).saturating_mul(b)
}

fn put_eval(out: &mut Vec<u8>, e: &Eval, total: u64) {
    out.extend_from_slice(&e.loss.to_le_bytes());
    if total == 0 {
        out.extend_from_slice(&e.accuracy.to_le_bytes());
    } else {
        put_varint(out, count(e.accuracy, total));
    }
}

pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub(crate) fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Reads a payload front to back; every read says what was cut short.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes }
    }

    pub(crate) fn done(&self) -> bool {
        self.bytes.is_empty()
    }

    /// How many bytes are left to read.
    pub(crate) fn rest(&self) -> usize {
        self.bytes.len()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.bytes.len() < n {
            return Err("it is cut short".into());
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    pub(crate) fn byte(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("a number in it is too long".into())
    }

    fn u32(&mut self) -> Result<u32, String> {
        let v = self.varint()?;
        u32::try_from(v).map_err(|_| format!("{v} is too large for an epoch count"))
    }

    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.varint()?;
        let n = usize::try_from(n).map_err(|_| "a length in it is too large".to_owned())?;
        self.take(n)
    }

    fn f64(&mut self) -> Result<f64, String> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(f64::from_le_bytes(a))
    }

    fn eval(&mut self, total: u64) -> Result<Eval, String> {
        let loss = self.f64()?;
        let accuracy = if total == 0 {
            self.f64()?
        } else {
            let c = self.varint()?;
            if c > total {
                return Err(format!("an accuracy counts {c} of {total}"));
            }
            c as f64 / total as f64
        };
        Ok(Eval { loss, accuracy })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(loss: f64, accuracy: f64) -> Eval {
        Eval { loss, accuracy }
    }

    fn record(metrics: Vec<EpochMetrics>, status: Status) -> RunRecord {
        RunRecord {
            format: RECORD_FORMAT,
            run_id: "0123456789ab".into(),
            experiment: "e".into(),
            seed: 300,
            settings: SettingsParams::default(),
            data: DataRef {
                train: "a.tsv".into(),
                test: "b.tsv".into(),
                fingerprint: "f".into(),
            },
            status,
            metrics,
            wall_ms: 1.25,
        }
    }

    fn round_trip(r: &RunRecord) -> (RunRecord, usize) {
        let bytes = encode_run(r, 0).unwrap();
        let back = decode_run(&bytes, &[Some(Context::of(r))]).unwrap();
        (back, bytes.len())
    }

    #[test]
    fn denominators_are_the_simplest_fractions_hand_computed() {
        assert_eq!(denominator(0.5), Some(2));
        assert_eq!(denominator(0.0), Some(1));
        assert_eq!(denominator(1.0), Some(1));
        assert_eq!(denominator(43.0 / 57.0), Some(57));
        assert_eq!(denominator(30.0 / 57.0), Some(19));
        assert_eq!(denominator(1.5), None);
        assert_eq!(denominator(f64::NAN), None);
        // 57 examples: every accuracy i/57 comes back as a count of 57.
        assert_eq!(total_of((0..=57).map(|i| i as f64 / 57.0)), 57);
        assert_eq!(total_of([0.5, 1.0 / 3.0].into_iter()), 6);
        // Not a quotient of two small integers: kept as floats.
        assert_eq!(total_of([std::f64::consts::FRAC_1_PI].into_iter()), 0);
    }

    #[test]
    fn a_run_comes_back_bit_for_bit_in_about_ten_bytes_an_epoch() {
        let metrics: Vec<EpochMetrics> = (1..=100)
            .map(|e| EpochMetrics {
                epoch: e,
                train: eval(0.7 / f64::from(e), f64::from(e % 58) / 57.0),
                test: (e % 50 == 0).then(|| eval(0.1 * f64::from(e), f64::from(e % 21) / 20.0)),
            })
            .collect();
        let r = record(metrics, Status::Ok);
        let (back, len) = round_trip(&r);
        assert_eq!(back, r);
        assert!(len < 100 * 10 + 60, "{len} bytes");
        // A diverged run, a pruned one and one with accuracies that are no counts.
        for status in [
            Status::Diverged { epoch: 101 },
            Status::Pruned { epoch: 100 },
        ] {
            let r = record(r.metrics.clone(), status);
            assert_eq!(round_trip(&r).0, r);
        }
        let mut odd = r.clone();
        odd.metrics[3].train.accuracy = std::f64::consts::FRAC_1_PI;
        assert_eq!(round_trip(&odd).0, odd);
        assert_eq!(round_trip(&odd).1, len + 700);
    }

    #[test]
    fn bad_payloads_are_named_not_panics() {
        let r = record(
            vec![EpochMetrics {
                epoch: 1,
                train: eval(0.5, 0.5),
                test: Some(eval(0.25, 1.0)),
            }],
            Status::Ok,
        );
        let bytes = encode_run(&r, 0).unwrap();
        let ctx = [Some(Context::of(&r))];
        for cut in 0..bytes.len() {
            assert!(decode_run(&bytes[..cut], &ctx).is_err(), "cut at {cut}");
        }
        assert_eq!(
            decode_run(&bytes, &[]).unwrap_err(),
            "it names context 0, which its log does not have"
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            decode_run(&longer, &ctx).unwrap_err(),
            "it has bytes after its last epoch"
        );
        let mut misnumbered = r.clone();
        misnumbered.metrics[0].epoch = 2;
        assert_eq!(
            encode_run(&misnumbered, 0).unwrap_err(),
            "its epoch 1 is numbered 2"
        );
    }
}
