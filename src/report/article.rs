//! The article's published table (one unseeded run), as facts from `shared/ARTICLE.md`, and
//! the article's settings that a configuration must have to be compared with it.

use crate::train::SettingsParams;

/// Epoch, train loss, train accuracy, test loss, test accuracy.
pub const PUBLISHED: [(u32, f64, f64, f64, f64); 10] = [
    (100, 0.688, 0.517, 0.700, 0.500),
    (200, 0.680, 0.552, 0.717, 0.450),
    (300, 0.593, 0.655, 0.657, 0.650),
    (400, 0.401, 0.810, 0.689, 0.650),
    (500, 0.312, 0.862, 0.693, 0.550),
    (600, 0.148, 0.914, 0.404, 0.800),
    (700, 0.008, 1.000, 0.016, 1.000),
    (800, 0.004, 1.000, 0.007, 1.000),
    (900, 0.002, 1.000, 0.004, 1.000),
    (1000, 0.002, 1.000, 0.003, 1.000),
];

/// Whether `settings` are the article's (the published gradient included).
pub fn is_articles(settings: &SettingsParams) -> bool {
    *settings == SettingsParams::default()
}
