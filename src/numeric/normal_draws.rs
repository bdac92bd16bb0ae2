//! Standard normal draws by Marsaglia's polar method, the method of numpy's legacy `randn`
//! (which the article's `np.random.randn` is): two uniforms in the unit disc give two
//! normals, the second kept for the next draw.
//!
//! Written here rather than taken from `rand_distr` because that one's rejection step calls
//! the system `exp`/`ln`, whose last bits depend on the CPU; this one uses only IEEE
//! arithmetic, `sqrt` (correctly rounded everywhere) and [`super::explog::ln`].

use rand::{Rng, RngExt};

use super::explog::ln;

/// A stream of N(0, 1) draws; holds the second value of each pair.
#[derive(Debug, Default)]
pub(crate) struct Normals {
    spare: Option<f64>,
}

impl Normals {
    pub(crate) fn next<R: Rng>(&mut self, rng: &mut R) -> f64 {
        if let Some(v) = self.spare.take() {
            return v;
        }
        loop {
            let x1 = 2.0 * rng.random::<f64>() - 1.0;
            let x2 = 2.0 * rng.random::<f64>() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * ln(r2) / r2).sqrt();
                self.spare = Some(f * x1);
                return f * x2;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn draws_have_the_moments_of_a_standard_normal() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut normals = Normals::default();
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| normals.next(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        let kurtosis = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n as f64 / var.powi(2);
        // Standard errors at n = 200000: mean 0.0022, variance 0.0032, kurtosis 0.011.
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.015, "variance {var}");
        assert!((kurtosis - 3.0).abs() < 0.06, "kurtosis {kurtosis}");
        let beyond_2 = xs.iter().filter(|x| x.abs() > 2.0).count() as f64 / n as f64;
        assert!((beyond_2 - 0.0455).abs() < 0.003, "P(|x| > 2) = {beyond_2}");
    }

    #[test]
    fn pairs_come_from_one_accepted_point() {
        // The second draw of a pair is the first's partner: f·x1 after f·x2.
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut normals = Normals::default();
        let (a, b) = (normals.next(&mut rng), normals.next(&mut rng));
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let (x1, x2) = loop {
            let x1 = 2.0 * rng.random::<f64>() - 1.0;
            let x2 = 2.0 * rng.random::<f64>() - 1.0;
            if x1 * x1 + x2 * x2 < 1.0 {
                break (x1, x2);
            }
        };
        assert_eq!(a / b, x2 / x1);
    }
}
