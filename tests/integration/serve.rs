//! End-to-end tests of `sweep serve`: it binds 127.0.0.1 by default, serves the results
//! directory and nothing else (traversal in every spelling, links out, hidden files), answers
//! bad requests 400, unknown paths 404 and other methods 405, and its live view follows the
//! directory as it changes under it (empty, running, finished, report removed).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::common::{bin, experiment, run_ok};

const GRID: &str = "[train]\nepochs = 20\neval_every = 10\nhidden_size = 6\n\
                    [grid]\nlearning_rate = [0.02, 0.1]\nseed = [0, 1]\n";

/// A `sweep serve` child on a free port, killed when dropped.
struct Served {
    child: Child,
    addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path) -> Served {
    let mut child = Command::new(bin())
        .arg("serve")
        .arg(dir)
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // `sweep: serving DIR at http://127.0.0.1:PORT/ (...)`
    let start = line.find("http://").unwrap() + "http://".len();
    let addr = line[start..start + line[start..].find('/').unwrap()].to_owned();
    Served { child, addr }
}

/// Sends `request` as it is and returns the status code and the body.
fn raw(served: &Served, request: &str) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(&served.addr).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let head_end = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&response[..head_end]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, response[head_end + 4..].to_vec())
}

fn get(served: &Served, target: &str) -> (u16, Vec<u8>) {
    raw(served, &format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n"))
}

fn live(served: &Served) -> serde_json::Value {
    let (status, body) = get(served, "/live.json");
    assert_eq!(status, 200);
    serde_json::from_slice(&body).unwrap()
}

fn finished_sweep(dir: &Path) -> std::path::PathBuf {
    let exp = experiment(dir, "grid", GRID);
    let out = dir.join("out");
    run_ok(&exp, &out, &["--quiet", "--no-weights"]);
    out
}

#[test]
fn binds_the_loopback_address_unless_told_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let served = serve(dir.path());
    assert!(served.addr.starts_with("127.0.0.1:"), "{}", served.addr);
    let help = crate::common::sweep()
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("[default: 127.0.0.1]"), "{help}");
}

#[test]
fn serves_the_directory_and_nothing_outside_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = finished_sweep(dir.path());
    std::fs::write(dir.path().join("secret.txt"), "outside").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), out.join("link.txt")).unwrap();
    let served = serve(&out);
    let (status, body) = get(&served, "/");
    assert_eq!(status, 200);
    assert_eq!(body, std::fs::read(out.join("report.html")).unwrap());
    let (status, body) = get(&served, "/runs.csv");
    assert_eq!(
        (status, body),
        (200, std::fs::read(out.join("runs.csv")).unwrap())
    );
    assert_eq!(get(&served, "/plots/loss-train.png").0, 200);
    for target in [
        "/../secret.txt",
        "/plots/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/plots/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "/.sweep.lock",
        "/runs%00.csv",
        "/%zz",
        "//etc/passwd",
        "http://127.0.0.1/runs.csv",
    ] {
        let (status, body) = get(&served, target);
        assert_eq!(status, 400, "{target}: {}", String::from_utf8_lossy(&body));
    }
    assert_eq!(get(&served, "/no-such-file.csv").0, 404);
    assert_eq!(get(&served, "/plots").0, 404, "no listing of a folder");
    #[cfg(unix)]
    assert_eq!(get(&served, "/link.txt").0, 404, "a link out is not served");
    assert_eq!(raw(&served, "POST /runs.csv HTTP/1.1\r\n\r\n").0, 405);
    assert_eq!(raw(&served, "PUT /x HTTP/1.1\r\n\r\n").0, 405);
    assert_eq!(raw(&served, "GARBAGE\r\n\r\n").0, 400);
    assert_eq!(raw(&served, "GET / HTTP/1.1\r\n").0, 400, "no end of head");
    // HEAD: the headers only.
    let (status, body) = raw(&served, "HEAD /runs.csv HTTP/1.1\r\n\r\n");
    assert_eq!((status, body.len()), (200, 0));
    // Nothing above changed the directory.
    assert!(!out.join("x").exists());
}

#[test]
fn the_live_view_follows_the_directory_as_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let served = serve(&out);
    // Nothing yet: a page with only the live view.
    let (status, body) = get(&served, "/");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("No report yet"));
    let s = live(&served);
    assert_eq!(
        (s["state"].as_str(), s["done"].as_u64()),
        (Some("waiting"), Some(0))
    );
    // A sweep runs into it, then finishes.
    let exp = experiment(dir.path(), "grid", GRID);
    run_ok(&exp, &out, &["--quiet", "--no-weights"]);
    let s = live(&served);
    assert_eq!(s["state"], "finished", "{s}");
    assert_eq!(
        (s["done"].as_u64(), s["planned"].as_u64()),
        (Some(4), Some(4))
    );
    assert_eq!(s["best"].as_array().unwrap().len(), 2);
    assert!(s["best"][0]["curve"].as_array().unwrap().len() >= 10);
    assert_eq!(s["report"], true);
    assert_eq!(
        get(&served, "/").1,
        std::fs::read(out.join("report.html")).unwrap()
    );
    // A lock held by a live process: running (as while `sweep run` trains).
    std::fs::write(out.join(".sweep.lock"), std::process::id().to_string()).unwrap();
    assert_eq!(live(&served)["state"], "running");
    // Its owner gone, the lock left behind and a run's record missing: stopped.
    std::fs::write(out.join(".sweep.lock"), "999999999").unwrap();
    let records = sweep::store::ResultsDir::open(&out).unwrap();
    let id = records.records().ids().unwrap().into_iter().next().unwrap();
    records
        .records()
        .remove_all(&std::iter::once(id).collect())
        .unwrap();
    let s = live(&served);
    assert_eq!(
        (s["state"].as_str(), s["done"].as_u64()),
        (Some("stopped"), Some(3))
    );
    // The report removed: the live page again.
    std::fs::remove_file(out.join("report.html")).unwrap();
    let (_, body) = get(&served, "/");
    assert!(String::from_utf8_lossy(&body).contains("No report yet"));
}
