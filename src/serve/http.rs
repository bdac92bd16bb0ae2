//! The little HTTP/1.1 that `sweep serve` speaks: one request per connection, `GET` and
//! `HEAD` only, and a request target turned into a path inside the served directory or
//! refused. Refusing is this module's job: a target with `..` or `.` segments, a
//! backslash, a NUL, a bad `%` escape (decoded first, so `%2e%2e` is `..`), or a name
//! starting with a dot is a bad request; the caller then refuses links that lead out.

use std::io::{BufRead, BufReader, Read, Write};

/// The longest request head read; a longer one is refused.
const MAX_HEAD: usize = 16 * 1024;

/// A response's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Ok,
    BadRequest,
    NotFound,
    MethodNotAllowed,
    ServerError,
}

impl Status {
    fn line(self) -> &'static str {
        match self {
            Status::Ok => "200 OK",
            Status::BadRequest => "400 Bad Request",
            Status::NotFound => "404 Not Found",
            Status::MethodNotAllowed => "405 Method Not Allowed",
            Status::ServerError => "500 Internal Server Error",
        }
    }
}

/// A request that passed the checks: whether only the head is wanted, and the target's
/// path segments, decoded (empty for `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    pub head_only: bool,
    pub segments: Vec<String>,
}

/// Reads one request's head from `stream` and checks it; the error is the status to answer.
pub(crate) fn read_request(stream: impl Read) -> Result<Request, Status> {
    let mut reader = BufReader::new(stream.take(MAX_HEAD as u64));
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .map_err(|_| Status::BadRequest)?;
    // The rest of the head (headers) is read and ignored, up to the blank line.
    let mut header = String::new();
    loop {
        header.clear();
        match reader.read_line(&mut header) {
            Ok(0) => return Err(Status::BadRequest),
            Ok(_) if header == "\r\n" || header == "\n" => break,
            Ok(_) => {}
            Err(_) => return Err(Status::BadRequest),
        }
    }
    parse_request_line(line.trim_end_matches(['\r', '\n']))
}

/// `GET /path HTTP/1.1`, checked.
pub(crate) fn parse_request_line(line: &str) -> Result<Request, Status> {
    let parts: Vec<&str> = line.split(' ').collect();
    let [method, target, version] = parts[..] else {
        return Err(Status::BadRequest);
    };
    if !version.starts_with("HTTP/1.") {
        return Err(Status::BadRequest);
    }
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        m if !m.is_empty() && m.bytes().all(|b| b.is_ascii_uppercase()) => {
            return Err(Status::MethodNotAllowed);
        }
        _ => return Err(Status::BadRequest),
    };
    Ok(Request {
        head_only,
        segments: segments(target)?,
    })
}

/// The decoded segments of a request target's path; the query is ignored.
pub(crate) fn segments(target: &str) -> Result<Vec<String>, Status> {
    // Only origin-form (`/a/b`): no absolute URL, no `*`, no `//host`.
    if !target.starts_with('/') || target.starts_with("//") {
        return Err(Status::BadRequest);
    }
    let path = target.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path).ok_or(Status::BadRequest)?;
    if decoded.contains(['\\', '\0']) || decoded.contains("//") {
        return Err(Status::BadRequest);
    }
    let segments: Vec<String> = decoded
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    // `..` and `.` and hidden files (the lock file, temporaries) are never served.
    if segments.iter().any(|s| s.starts_with('.')) {
        return Err(Status::BadRequest);
    }
    Ok(segments)
}

/// `%XX` escapes decoded; `None` for a bad escape or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The content type of a served file, by its extension.
pub(crate) fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        Some("md" | "toml" | "txt" | "out" | "err" | "sh") => "text/plain; charset=utf-8",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// Writes a whole response: the status, the headers, and `body` unless `head_only`.
pub(crate) fn respond(
    mut out: impl Write,
    status: Status,
    content_type: &str,
    body: &mut dyn Read,
    length: u64,
    head_only: bool,
) -> std::io::Result<()> {
    let allow = match status {
        Status::MethodNotAllowed => "Allow: GET, HEAD\r\n",
        _ => "",
    };
    write!(
        out,
        "HTTP/1.1 {}\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\n{allow}\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        status.line()
    )?;
    if !head_only {
        std::io::copy(body, &mut out)?;
    }
    out.flush()
}

/// A short text response (an error's reason).
pub(crate) fn respond_text(out: impl Write, status: Status, text: &str) -> std::io::Result<()> {
    let bytes = text.as_bytes();
    respond(
        out,
        status,
        "text/plain; charset=utf-8",
        &mut &bytes[..],
        bytes.len() as u64,
        false,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_inside_the_directory_are_split() {
        assert_eq!(segments("/"), Ok(vec![]));
        assert_eq!(
            segments("/plots/a%20b.png?x=1"),
            Ok(vec!["plots".into(), "a b.png".into()])
        );
    }

    #[test]
    fn traversal_and_odd_targets_are_bad_requests() {
        for target in [
            "/../etc/passwd",
            "/plots/../../x",
            "/%2e%2e/x",
            "/%2E%2E%2Fx",
            "/..%2fx",
            "/a/./b",
            "/.sweep.lock",
            "/a%5c..%5cb",
            "/a%00b",
            "/%zz",
            "/%e9",
            "//etc/passwd",
            "http://example.org/",
            "*",
            "etc/passwd",
        ] {
            assert_eq!(segments(target), Err(Status::BadRequest), "{target}");
        }
    }

    #[test]
    fn methods_and_request_lines() {
        assert!(parse_request_line("GET / HTTP/1.1").is_ok());
        assert!(parse_request_line("HEAD /x HTTP/1.0").unwrap().head_only);
        for (line, status) in [
            ("POST / HTTP/1.1", Status::MethodNotAllowed),
            ("DELETE /runs.csv HTTP/1.1", Status::MethodNotAllowed),
            ("GET /", Status::BadRequest),
            ("GET / HTTP/2 extra", Status::BadRequest),
            ("get / HTTP/1.1", Status::BadRequest),
            ("GET / SPDY/3", Status::BadRequest),
            ("", Status::BadRequest),
        ] {
            assert_eq!(parse_request_line(line), Err(status), "{line}");
        }
    }

    #[test]
    fn a_head_without_its_blank_line_is_refused() {
        assert!(read_request(&b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"[..]).is_ok());
        assert_eq!(
            read_request(&b"GET / HTTP/1.1\r\nHost: x\r\n"[..]),
            Err(Status::BadRequest)
        );
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_HEAD));
        assert_eq!(read_request(long.as_bytes()), Err(Status::BadRequest));
    }
}
