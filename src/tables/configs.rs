//! Configurations: the runs that share every setting but the seed. Runs are grouped here,
//! in the one place both the writer of the tables (from the grid) and their reader (from
//! `runs.csv`) do it, and given labels that tell the groups apart.
//!
//! A label prints settings short (`lr=0.02`, four significant digits), so two configurations
//! whose settings differ only beyond that precision would print the same label; they get the
//! exact values that tell them apart appended.

use std::collections::{BTreeMap, HashMap};

use crate::settings::{Key, SettingsParams};

/// One configuration of a list of runs.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub label: String,
    pub settings: SettingsParams,
    /// Indices of its runs in the list, in list order.
    pub members: Vec<usize>,
}

/// The configurations of `runs` (their settings but the seed), in order of first
/// appearance, each labelled by `label` of its first run, labels made distinct.
pub(crate) fn group<'a>(
    runs: impl IntoIterator<Item = &'a SettingsParams>,
    label: impl Fn(usize) -> String,
) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    // Per configuration: its settings as (name, exact value), the identity of a group.
    let mut exact: Vec<Vec<(String, String)>> = Vec::new();
    // A grid can have thousands of configurations: find each run's by hash.
    let mut index: HashMap<Vec<(String, String)>, usize> = HashMap::new();
    for (i, settings) in runs.into_iter().enumerate() {
        let own = exact_settings(settings);
        match index.get(&own) {
            Some(&g) => groups[g].members.push(i),
            None => {
                index.insert(own.clone(), groups.len());
                exact.push(own);
                groups.push(Group {
                    label: label(i),
                    settings: settings.clone(),
                    members: vec![i],
                });
            }
        }
    }
    let mut labels: Vec<String> = groups.iter().map(|g| g.label.clone()).collect();
    disambiguate(&mut labels, &exact);
    for (g, label) in groups.iter_mut().zip(labels) {
        g.label = label;
    }
    groups
}

/// A configuration's settings by name, exactly as the tables print them.
fn exact_settings(settings: &SettingsParams) -> Vec<(String, String)> {
    Key::configuration()
        .map(|k| (k.name().to_owned(), k.value_of(settings, 0).to_string()))
        .collect()
}

/// Makes `labels` distinct: the configurations sharing a label get the exact values of the
/// settings that differ among them appended, e.g. `h=64 lr=0.02 clip=1 article
/// (learning_rate=0.0200001)`. `settings[i]` are configuration `i`'s settings as (name,
/// exact value) pairs, the same names in the same order for every configuration; they must
/// be distinct between configurations. Labels that are already distinct stay as they are.
fn disambiguate(labels: &mut [String], settings: &[Vec<(String, String)>]) {
    let mut by_label: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, label) in labels.iter().enumerate() {
        by_label.entry(label.as_str()).or_default().push(i);
    }
    let suffixes: Vec<(usize, String)> = by_label
        .into_values()
        .filter(|group| group.len() > 1)
        .flat_map(|group| suffixes(&group, settings))
        .collect();
    for (i, suffix) in suffixes {
        labels[i] += &suffix;
    }
}

/// ` (name=value, ...)` for each configuration of `group`, naming the settings whose values
/// are not the same across the group.
fn suffixes(group: &[usize], settings: &[Vec<(String, String)>]) -> Vec<(usize, String)> {
    let first = &settings[group[0]];
    let differing: Vec<usize> = (0..first.len())
        .filter(|&k| group.iter().any(|&i| settings[i][k].1 != first[k].1))
        .collect();
    group
        .iter()
        .map(|&i| {
            let parts: Vec<String> = differing
                .iter()
                .map(|&k| format!("{}={}", settings[i][k].0, settings[i][k].1))
                .collect();
            (i, format!(" ({})", parts.join(", ")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(lr: &str, clip: &str) -> Vec<(String, String)> {
        vec![
            ("learning_rate".into(), lr.into()),
            ("clip".into(), clip.into()),
        ]
    }

    #[test]
    fn only_colliding_labels_get_the_settings_that_tell_them_apart() {
        let mut labels = vec![
            "lr=0.02 clip=1".to_owned(),
            "lr=0.02 clip=1".to_owned(),
            "lr=0.1 clip=1".to_owned(),
            "lr=0.02 clip=1".to_owned(),
        ];
        let all = [
            settings("0.02", "1"),
            settings("0.0200001", "1"),
            settings("0.1", "1"),
            settings("0.02", "1.00001"),
        ];
        disambiguate(&mut labels, &all);
        assert_eq!(
            labels,
            [
                "lr=0.02 clip=1 (learning_rate=0.02, clip=1)",
                "lr=0.02 clip=1 (learning_rate=0.0200001, clip=1)",
                "lr=0.1 clip=1",
                "lr=0.02 clip=1 (learning_rate=0.02, clip=1.00001)",
            ]
        );
    }

    #[test]
    fn distinct_labels_are_left_alone() {
        let mut labels = vec!["a".to_owned(), "b".to_owned()];
        disambiguate(&mut labels, &[settings("1", "1"), settings("2", "1")]);
        assert_eq!(labels, ["a", "b"]);
    }
}
