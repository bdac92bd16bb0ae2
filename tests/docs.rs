//! The documentation: docs/cli.md is what the clap definitions generate.
//!
//! Self-contained (no shared test helpers), so it can move into another test binary as a
//! module unchanged.

use std::fs;
use std::path::Path;

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
                `tests/docs.rs`: do not edit it by hand. After changing a command's flags or \
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
