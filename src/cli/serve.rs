//! `sweep serve`: binds the server over a results directory, prints its URL and answers
//! until stopped (the server itself is `crate::serve`).

use std::io::Write;

use super::ServeArgs;
use crate::error::{Error, Result};
use crate::serve::Server;

pub(super) fn execute(args: &ServeArgs) -> Result<()> {
    let server = Server::bind(&args.results, args.bind, args.port)?;
    let addr = server.local_addr()?;
    // On stdout, flushed, so that a script can read the port chosen for --port 0.
    let mut out = std::io::stdout();
    writeln!(
        out,
        "sweep: serving {} at http://{addr}/ (read-only; Ctrl-C stops)",
        args.results.display()
    )
    .and_then(|()| out.flush())
    .map_err(|e| Error::Usage(format!("cannot write to stdout: {e}")))?;
    if !args.bind.is_loopback() {
        note!(
            "sweep: warning: listening on {}, so other machines that reach it can read the \
             directory",
            args.bind
        );
    }
    server.run()
}
