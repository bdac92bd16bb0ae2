//! The documentation: every link of the README and of docs/ resolves, and docs/cli.md is what
//! the clap definitions generate.
//!
//! Self-contained (no shared test helpers), so it can move into another test binary as a
//! module unchanged.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// The repository.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Set (to anything but `0`) to rewrite docs/cli.md instead of comparing it.
const BLESS: &str = "SWEEP_BLESS";

// ---------------------------------------------------------------------------------------
// docs/cli.md
// ---------------------------------------------------------------------------------------

/// docs/cli.md as the clap definitions of `sweep::cli::Cli` give it.
fn cli_reference() -> String {
    let options = clap_markdown::MarkdownOptions::new()
        .title("Command-line reference".to_owned())
        .show_footer(false);
    let generated = clap_markdown::help_markdown_custom::<sweep::cli::Cli>(&options);
    // The note goes after the title: the file opens with its heading.
    let (title, body) = generated
        .split_once("\n\n")
        .expect("a title, then the body");
    let note = "Generated from the clap definitions (`sweep::cli::Cli`, `src/cli/`) by \
                `tests/integration/docs.rs`: do not edit it by hand. After changing a command's flags or \
                help text, run `SWEEP_BLESS=1 cargo test --release cli_reference`. \
                `sweep COMMAND --help` prints the same text.";
    let mut text = format!("{title}\n\n{note}\n\n{body}");
    // Help text is plain text, not Markdown: `results/<name>` would read as an HTML tag.
    // One newline at the end, and none at the ends of lines.
    text = text
        .lines()
        .map(|line| escape_angle_brackets(line.trim_end()))
        .collect::<Vec<_>>()
        .join("\n");
    text.truncate(text.trim_end().len());
    text.push('\n');
    text
}

/// A line with each `<` outside inline code escaped as `\<`, so Markdown shows it as it is.
fn escape_angle_brackets(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut code = false;
    for c in line.chars() {
        match c {
            '`' => code = !code,
            '<' if !code => out.push('\\'),
            _ => {}
        }
        out.push(c);
    }
    out
}

#[test]
fn cli_reference_is_what_the_clap_definitions_generate() {
    let path = root().join("docs/cli.md");
    let expected = cli_reference();
    if std::env::var(BLESS).is_ok_and(|v| !v.is_empty() && v != "0") {
        fs::write(&path, &expected).unwrap();
        return;
    }
    let actual = fs::read_to_string(&path).unwrap_or_default();
    if actual != expected {
        let line = actual
            .lines()
            .zip(expected.lines())
            .position(|(a, e)| a != e)
            .unwrap_or_else(|| actual.lines().count().min(expected.lines().count()));
        panic!(
            "docs/cli.md is stale: it differs from what the clap definitions generate from line \
             {} on (it has {:?}, they give {:?}).\nRun `{BLESS}=1 cargo test --release \
             cli_reference` to regenerate it, then commit it.",
            line + 1,
            actual.lines().nth(line).unwrap_or("<end of file>"),
            expected.lines().nth(line).unwrap_or("<end of file>"),
        );
    }
}

#[test]
fn the_cli_reference_covers_every_command() {
    let text = cli_reference();
    let cli = <sweep::cli::Cli as clap::CommandFactory>::command();
    for command in cli.get_subcommands() {
        let heading = format!("\n## `sweep {}`\n", command.get_name());
        assert!(text.contains(&heading), "no {heading:?} in docs/cli.md");
        for arg in command.get_arguments().filter_map(|a| a.get_long()) {
            assert!(
                text.contains(&format!("`--{arg}")),
                "docs/cli.md does not name `sweep {} --{arg}`",
                command.get_name()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Links
// ---------------------------------------------------------------------------------------

/// The Markdown files whose links are checked, relative to the repository: the README, every
/// file under docs/, and the READMEs of results/ and data/.
fn documents(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path.strip_prefix(base).unwrap().to_path_buf());
            }
        }
    }
    let mut files: Vec<PathBuf> = ["README.md", "results/README.md", "data/README.md"]
        .iter()
        .map(PathBuf::from)
        .filter(|p| root.join(p).is_file())
        .collect();
    let mut docs = Vec::new();
    walk(&root.join("docs"), root, &mut docs);
    docs.sort();
    files.extend(docs);
    files
}

/// A Markdown text with its fenced code blocks blanked out (each character but newlines
/// replaced by a space, so line numbers stay).
fn blank_fences(text: &str) -> String {
    let blank = |line: &str| -> String {
        line.chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect()
    };
    let mut out = String::with_capacity(text.len());
    let mut fence: Option<String> = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let marker: String = trimmed
            .chars()
            .take_while(|&c| c == '`' || c == '~')
            .collect();
        let uniform = marker.chars().all(|c| marker.starts_with(c));
        let is_fence = marker.len() >= 3 && uniform;
        match &fence {
            Some(open) => {
                // Closed by a run of the same character, at least as long, alone on its line.
                if is_fence
                    && marker.starts_with(open.as_str())
                    && trimmed[marker.len()..].trim().is_empty()
                {
                    fence = None;
                }
                out.push_str(&blank(line));
            }
            None if is_fence => {
                fence = Some(marker);
                out.push_str(&blank(line));
            }
            None => out.push_str(line),
        }
    }
    out
}

/// The prose of a Markdown text: fenced code blocks and inline code spans blanked out.
fn prose(text: &str) -> String {
    blank_code_spans(&blank_fences(text))
}

/// Replaces each inline code span (a run of backticks to the next run of the same length,
/// within one paragraph) by spaces.
fn blank_code_spans(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    let run = |i: usize| chars[i..].iter().take_while(|&&c| c == '`').count();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            i += 1;
            continue;
        }
        let n = run(i);
        let mut j = i + n;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '\n'
                && chars[j + 1..]
                    .iter()
                    .take_while(|c| **c != '\n')
                    .all(|c| c.is_whitespace())
            {
                break; // a blank line ends the paragraph
            }
            if chars[j] == '`' {
                let m = run(j);
                if m == n {
                    close = Some(j + m);
                    break;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        match close {
            Some(end) => {
                for c in &mut out[i..end] {
                    if *c != '\n' {
                        *c = ' ';
                    }
                }
                i = end;
            }
            None => i += n,
        }
    }
    out.into_iter().collect()
}

/// A link found in a document: its line and target.
struct Link {
    line: usize,
    target: String,
}

/// The inline links `[text](target)` and images `![alt](target)` of a Markdown text, and its
/// reference definitions `[label]: target`, outside code.
fn links(text: &str) -> Vec<Link> {
    let prose = prose(text);
    let mut found = Vec::new();
    for (n, line) in prose.lines().enumerate() {
        let definition = line.trim_start();
        if definition.starts_with('[')
            && let Some(end) = definition.find("]:")
        {
            let target = definition[end + 2..]
                .split_whitespace()
                .next()
                .unwrap_or("");
            found.push(Link {
                line: n + 1,
                target: target.to_owned(),
            });
        }
    }
    let mut at = 0;
    while let Some(i) = prose[at..].find("](") {
        let start = at + i + 2;
        let line = prose[..start].matches('\n').count() + 1;
        // The destination ends at its closing parenthesis (parentheses inside balanced).
        let mut depth = 0;
        let mut end = prose.len();
        for (k, c) in prose[start..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' if depth == 0 => {
                    end = start + k;
                    break;
                }
                ')' => depth -= 1,
                '\n' => {
                    end = start + k;
                    break;
                }
                _ => {}
            }
        }
        let destination = prose[start..end].trim();
        // A destination in <...> may hold spaces; otherwise a title may follow the target.
        let target = match destination.strip_prefix('<') {
            Some(rest) => rest.split('>').next().unwrap_or(""),
            None => destination.split_whitespace().next().unwrap_or(""),
        };
        found.push(Link {
            line,
            target: target.to_owned(),
        });
        at = end.max(start);
    }
    found.sort_by_key(|l| l.line);
    found
}

/// GitHub's anchor for a heading: markup dropped, lowercased, punctuation other than `-` and
/// `_` removed, each space a `-`.
fn slug(heading: &str) -> String {
    // A link in a heading contributes its text.
    let mut text = String::new();
    let mut rest = heading;
    while let Some(i) = rest.find("](") {
        let close = rest[i..].find(')').map_or(rest.len(), |k| i + k + 1);
        text.push_str(&rest[..i]);
        rest = &rest[close..];
    }
    text.push_str(rest);
    text.trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown text: one per ATX heading (`#` to `######`) outside code, a
/// repeated slug numbered `-1`, `-2`, ... as GitHub numbers it.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let fenced = blank_fences(text);
    for line in fenced.lines() {
        let trimmed = line.trim_start();
        let hashes = trimmed.chars().take_while(|&c| c == '#').count();
        if !(1..=6).contains(&hashes) || line.len() - trimmed.len() > 3 {
            continue;
        }
        let rest = &trimmed[hashes..];
        if !(rest.is_empty() || rest.starts_with(' ')) {
            continue;
        }
        let title = rest.trim().trim_end_matches('#').trim_end();
        let base = slug(title);
        let mut anchor = base.clone();
        let mut k = 0;
        while seen.contains(&anchor) {
            k += 1;
            anchor = format!("{base}-{k}");
        }
        seen.insert(anchor);
    }
    seen
}

/// Whether an external link is well formed: `http(s)://host/...`, the host a dotted name.
fn well_formed_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    !host.is_empty()
        && host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && !url.chars().any(char::is_whitespace)
}

/// `%20` and the like in a link's path.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        if bytes[i] == b'%'
            && let Some(Ok(b)) = hex.map(|h| u8::from_str_radix(h, 16))
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `a/./b/../c` as `a/c`, without touching the filesystem; None if it climbs above its start.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(p) => out.push(p),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// What is wrong with a link of `doc` (relative to `root`), if anything.
fn check_link(root: &Path, doc: &Path, target: &str) -> Option<String> {
    if target.is_empty() {
        return Some("empty target".into());
    }
    if target.starts_with("http://") || target.starts_with("https://") {
        return (!well_formed_url(target)).then(|| "malformed URL".into());
    }
    let scheme = target.split(['/', '#', '?']).next().unwrap_or("");
    if scheme.contains(':') {
        return Some("not a relative path nor an http(s) URL".into());
    }
    let (path, anchor) = match target.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (target, None),
    };
    let relative = if path.is_empty() {
        doc.to_path_buf()
    } else if let Some(from_root) = path.strip_prefix('/') {
        PathBuf::from(percent_decode(from_root))
    } else {
        doc.parent()
            .unwrap_or(Path::new(""))
            .join(percent_decode(path))
    };
    let Some(relative) = normalize(&relative) else {
        return Some("points outside the repository".into());
    };
    let file = root.join(&relative);
    if !file.exists() {
        return Some(format!("{} does not exist", relative.display()));
    }
    let anchor = anchor?;
    if file.is_dir() || file.extension().is_none_or(|e| e != "md") {
        return Some(format!(
            "#{anchor} into {}, which is not a Markdown file",
            relative.display()
        ));
    }
    let text = fs::read_to_string(&file).unwrap();
    let known = anchors(&text);
    if known.contains(&percent_decode(anchor)) {
        return None;
    }
    let mut message = format!("{} has no heading #{anchor}", relative.display());
    if let Some(near) = known.iter().min_by_key(|a| strsim_distance(a, anchor)) {
        let _ = write!(message, " (nearest: #{near})");
    }
    Some(message)
}

/// Levenshtein distance, to suggest the nearest anchor.
fn strsim_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Every broken link of the documents under `root`, as `file:line: target: why`, and how many
/// links were checked.
fn broken_links(root: &Path) -> (Vec<String>, usize) {
    let mut broken = Vec::new();
    let mut checked = 0;
    for doc in documents(root) {
        let text = fs::read_to_string(root.join(&doc)).unwrap();
        for link in links(&text) {
            checked += 1;
            if let Some(why) = check_link(root, &doc, &link.target) {
                broken.push(format!(
                    "{}:{}: ({}): {why}",
                    doc.display(),
                    link.line,
                    link.target
                ));
            }
        }
    }
    (broken, checked)
}

#[test]
fn every_link_in_the_docs_resolves() {
    let (broken, checked) = broken_links(root());
    assert!(
        broken.is_empty(),
        "broken links in the documentation:\n{}",
        broken.join("\n")
    );
    // The check found the docs' links at all: the README alone links to every docs/ file.
    assert!(checked >= 30, "only {checked} links found");
}

#[test]
fn the_link_check_finds_missing_files_and_anchors() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("docs/guide")).unwrap();
    fs::write(
        root.join("README.md"),
        "# Top\n\n[ok](docs/a.md#a-b_c) [ok](#top) [ok](https://example.org/x)\n\
         [gone](docs/none.md) [no anchor](docs/a.md#nope) [bad url](https://no host)\n\
         `[in code](docs/none.md)`\n\n```\n[in a fence](docs/none.md)\n# not a heading\n```\n\
         [ok, twice](docs/a.md#same-1) [fence](#not-a-heading)\n[up](../outside.md)\n",
    )
    .unwrap();
    fs::write(
        root.join("docs/a.md"),
        "# A: `b_c`?\n\n## Same\n\n## Same\n\n[back](../README.md#top) [deep](guide/b.md)\n",
    )
    .unwrap();
    fs::write(
        root.join("docs/guide/b.md"),
        "[sideways](../a.md#same) [gone](c.md)\n",
    )
    .unwrap();
    let (broken, checked) = broken_links(root);
    let expected = [
        "README.md:4: (docs/none.md): docs/none.md does not exist",
        "README.md:4: (docs/a.md#nope): docs/a.md has no heading #nope (nearest: #same)",
        "README.md:4: (https://no): malformed URL",
        "README.md:11: (#not-a-heading): README.md has no heading #not-a-heading (nearest: #top)",
        "README.md:12: (../outside.md): points outside the repository",
        "docs/guide/b.md:1: (c.md): docs/guide/c.md does not exist",
    ];
    assert_eq!(broken, expected);
    assert_eq!(checked, 13);
}

#[test]
fn anchors_follow_githubs_slugs() {
    assert_eq!(
        slug("Figures: from 2 to 2000 configurations"),
        "figures-from-2-to-2000-configurations"
    );
    assert_eq!(
        slug("Statistics: is a difference real?"),
        "statistics-is-a-difference-real"
    );
    assert_eq!(
        slug("Overrides on the command line: `--set`"),
        "overrides-on-the-command-line---set"
    );
    assert_eq!(slug("`sweep run`"), "sweep-run");
    assert_eq!(
        slug("The article's table beside ours"),
        "the-articles-table-beside-ours"
    );
    assert_eq!(slug("See [Data](data.md) first"), "see-data-first");
    let text = "# One\n## One\n```\n# One\n```\n### One ##\n";
    assert_eq!(
        anchors(text).into_iter().collect::<Vec<_>>(),
        ["one", "one-1", "one-2"]
    );
}
