//! The `sweep` binary: parse the command line, run the command, turn errors into a message
//! and an exit code (0 all runs finished, 1 some run could not be completed, 2 a usage,
//! experiment or data error, 130 interrupted).

use std::io::Write;

use clap::Parser;

fn main() {
    let cli = sweep::cli::Cli::parse();
    let code = match sweep::cli::execute(cli) {
        Ok(()) => 0,
        Err(err) => {
            let kind = if err.is_failure() { "error: " } else { "" };
            // Never a panic, even with stderr closed.
            let _ = writeln!(std::io::stderr(), "sweep: {kind}{err}");
            err.exit_code()
        }
    };
    std::process::exit(code);
}
