//! `sweep serve`: a small local HTTP server over one results directory, so that a person
//! can watch a sweep as it runs (here or on a cluster's shared directory) and read its
//! report. It serves that directory only, read-only: `/` is its `report.html` (or, before
//! the sweep has written one, a page with only the live view), `/live.json` how the sweep
//! stands ([`live`]), and any other path a regular file inside the directory. Targets
//! that step out ([`http`]'s checks) are bad requests; a link that leads out is not found.
//! It binds 127.0.0.1 unless told otherwise.

pub(crate) mod http;
pub(crate) mod live;

use std::fs::File;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use self::http::{Request, Status, content_type, read_request, respond, respond_text};
use self::live::Live;
use crate::error::{Error, Result};
use crate::report::html;
use crate::store::REPORT_HTML;

/// The address served on unless told otherwise: this machine only.
pub const DEFAULT_BIND: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
pub const DEFAULT_PORT: u16 = 8421;
/// A client that sends nothing for this long is dropped.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A server bound to its address, not yet answering.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    root: PathBuf,
    live: Arc<Mutex<Live>>,
}

impl Server {
    /// Binds `bind:port` (port 0: any free one) to serve the results directory `dir`.
    pub fn bind(dir: &Path, bind: IpAddr, port: u16) -> Result<Server> {
        let root = dir.canonicalize().map_err(|e| {
            Error::Usage(format!(
                "cannot serve {}: {e} (give a results directory written by `sweep run`)",
                dir.display()
            ))
        })?;
        if !root.is_dir() {
            return Err(Error::Usage(format!(
                "cannot serve {}: not a directory (give a results directory)",
                dir.display()
            )));
        }
        let addr = SocketAddr::new(bind, port);
        let listener = TcpListener::bind(addr).map_err(|e| {
            Error::Usage(format!(
                "cannot listen on {addr}: {e} (choose another with --port or --bind)"
            ))
        })?;
        Ok(Server {
            live: Arc::new(Mutex::new(Live::new(&root))),
            listener,
            root,
        })
    }

    /// The address it listens on (with the port chosen, for port 0).
    pub fn local_addr(&self) -> Result<SocketAddr> {
        self.listener
            .local_addr()
            .map_err(|e| Error::Usage(format!("cannot read the listening address: {e}")))
    }

    /// Answers requests until the process ends, each connection on a thread of its own.
    pub fn run(self) -> Result<()> {
        for stream in self.listener.incoming() {
            let Ok(stream) = stream else { continue };
            let root = self.root.clone();
            let live = Arc::clone(&self.live);
            std::thread::spawn(move || {
                if let Err(e) = answer(stream, &root, &live) {
                    note!("sweep serve: a response was cut short: {e}");
                }
            });
        }
        Ok(())
    }
}

/// Reads one request from `stream` and answers it.
fn answer(stream: TcpStream, root: &Path, live: &Mutex<Live>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let request = match read_request(&stream) {
        Ok(r) => r,
        Err(status) => return respond_text(&stream, status, reason(status)),
    };
    let head = request.head_only;
    match route(&request, root, live) {
        Ok(Body::Text(kind, text)) => {
            let bytes = text.into_bytes();
            let length = bytes.len() as u64;
            respond(&stream, Status::Ok, kind, &mut &bytes[..], length, head)
        }
        Ok(Body::File(name, mut file, length)) => respond(
            &stream,
            Status::Ok,
            content_type(&name),
            &mut file,
            length,
            head,
        ),
        Err((status, why)) => respond_text(&stream, status, &why),
    }
}

fn reason(status: Status) -> &'static str {
    match status {
        Status::MethodNotAllowed => "only GET and HEAD are served\n",
        Status::NotFound => "not found\n",
        _ => {
            "bad request: a path inside the results directory, without `..`, `.` or hidden names\n"
        }
    }
}

enum Body {
    Text(&'static str, String),
    File(String, File, u64),
}

type Routed = std::result::Result<Body, (Status, String)>;

fn route(request: &Request, root: &Path, live: &Mutex<Live>) -> Routed {
    let failed = |e: &dyn std::fmt::Display| (Status::ServerError, format!("{e}\n"));
    match request.segments.as_slice() {
        [] if root.join(REPORT_HTML).is_file() => file(root, &[REPORT_HTML.to_owned()]),
        [] => {
            let name = root
                .file_name()
                .map_or_else(|| "sweep".into(), |n| n.to_string_lossy().into_owned());
            let page = html::live_page(&name).map_err(|e| failed(&e))?;
            Ok(Body::Text("text/html; charset=utf-8", page))
        }
        [one] if one == "live.json" => {
            let mut live = live.lock().map_err(|e| failed(&e))?;
            let snapshot = live.snapshot().map_err(|e| failed(&e))?;
            let text = serde_json::to_string(&snapshot).map_err(|e| failed(&e))?;
            Ok(Body::Text("application/json", text))
        }
        segments => file(root, segments),
    }
}

/// A regular file inside `root`, after following any link: one that leads out is not found.
fn file(root: &Path, segments: &[String]) -> Routed {
    let not_found = || (Status::NotFound, reason(Status::NotFound).to_owned());
    let path = segments.iter().fold(root.to_path_buf(), |p, s| p.join(s));
    let real = path.canonicalize().map_err(|_| not_found())?;
    if !real.starts_with(root) || !real.is_file() {
        return Err(not_found());
    }
    let file = File::open(&real).map_err(|_| not_found())?;
    let length = file.metadata().map_err(|_| not_found())?.len();
    let name = segments.last().cloned().unwrap_or_default();
    Ok(Body::File(name, file, length))
}
