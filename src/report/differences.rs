//! The "What differs, and how sure" section of `report.md`: the comparisons of the sweep's
//! configurations ([`crate::compare`]) as sentences, the differences found first.

use crate::compare::{Comparison, verdict};
use crate::store::COMPARISONS;

/// At most this many sentences of each kind; `comparisons.csv` has every one.
const SHOWN: usize = 30;

/// The section's Markdown.
pub(crate) fn section(comparisons: &[Comparison]) -> String {
    let mut md = String::from("## What differs, and how sure\n\n");
    if comparisons.is_empty() {
        md += "No two configurations of this sweep differ in exactly one setting, so there is \
               nothing to compare.\n\n";
        return md;
    }
    md += &format!(
        "Configurations that differ in exactly one setting, compared metric by metric \
         ({n} comparisons, every number in [`{COMPARISONS}`]({COMPARISONS})). Where two \
         configurations have the same hidden size and init scale, each seed draws the same \
         initial weights and shuffles for both, so they are compared seed by seed (Wilcoxon \
         signed-rank test with the Hodges-Lehmann median difference; exact McNemar test for \
         shares); otherwise as independent samples (Mann-Whitney U with the difference of \
         medians; Fisher's exact test). Effects are the second configuration minus the first, \
         with 95% intervals; p-values are adjusted by Holm over all {n}, and a difference is \
         reported where the adjusted p is below 0.05.\n\n",
        n = comparisons.len()
    );
    let mut found: Vec<&Comparison> = comparisons.iter().filter(|c| c.significant()).collect();
    found.sort_by(|x, y| adjusted(x).total_cmp(&adjusted(y)));
    let rest: Vec<&Comparison> = comparisons.iter().filter(|c| !c.significant()).collect();
    md += &format!("**Differences found ({}):**\n\n", found.len());
    md += &bullets(&found, "none");
    md += &format!("**No detectable difference ({}):**\n\n", rest.len());
    md += &bullets(&rest, "none");
    md
}

fn adjusted(c: &Comparison) -> f64 {
    c.test.map_or(1.0, |t| t.adjusted)
}

/// One line per comparison: what was compared, then the verdict.
fn bullets(list: &[&Comparison], empty: &str) -> String {
    if list.is_empty() {
        return format!("- {empty}\n\n");
    }
    let mut md = String::new();
    for c in list.iter().take(SHOWN) {
        md += &format!(
            "- {}{}: {}\n",
            c.metric.label(),
            c.setting
                .as_ref()
                .map_or(String::new(), |s| format!(" ({s})")),
            verdict::sentence(c)
        );
    }
    if list.len() > SHOWN {
        md += &format!(
            "- ... and {} more in [`{COMPARISONS}`]({COMPARISONS})\n",
            list.len() - SHOWN
        );
    }
    md + "\n"
}
