// pipelinegen-probe: the health probe of images without a shell, curl or wget. It GETs one
// http:// URL and exits 0 when the answer is 2xx, 1 otherwise (no TLS: probes stay in the pod).
// Standard library only; builds with `rustc -O` (Rust 1.63 or later).
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::exit;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(4);

fn probe(url: &str) -> Result<(), String> {
    let rest = url.strip_prefix("http://").ok_or("only http:// URLs are probed")?;
    let (authority, path) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, "/"),
    };
    let address = authority
        .to_socket_addrs()
        .map_err(|err| format!("{authority}: {err}"))?
        .next()
        .ok_or(format!("{authority}: no address"))?;
    let mut stream =
        TcpStream::connect_timeout(&address, TIMEOUT).map_err(|err| format!("{url}: {err}"))?;
    stream.set_read_timeout(Some(TIMEOUT)).map_err(|err| err.to_string())?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(|err| err.to_string())?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(|err| format!("{url}: {err}"))?;
    let mut head = [0u8; 64];
    let read = stream.read(&mut head).map_err(|err| format!("{url}: {err}"))?;
    let status_line = String::from_utf8_lossy(&head[..read]);
    let status = status_line.split_whitespace().nth(1).unwrap_or("");
    if status.len() == 3 && status.starts_with('2') {
        Ok(())
    } else {
        Err(format!("{url} answered {:?}", status_line.lines().next().unwrap_or("")))
    }
}

fn main() {
    let url = match std::env::args().nth(1) {
        Some(url) => url,
        None => {
            eprintln!("usage: pipelinegen-probe http://HOST:PORT/PATH");
            exit(2);
        }
    };
    if let Err(problem) = probe(&url) {
        eprintln!("{problem}");
        exit(1);
    }
}
