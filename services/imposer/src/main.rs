//! The imposer: how many press sheets a print job needs. `GET /sheets?pages=P&up=U&copies=C`
//! answers the sheet count of C copies of a P-page job printed U pages per sheet side
//! (duplex); `/health` answers 200. Standard library only; listens on $PORT.
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

/// Sheets for `copies` of a `pages`-page job at `up` pages per side, printed on both sides.
pub fn sheets(pages: u64, up: u64, copies: u64) -> Option<u64> {
    if pages == 0 || up == 0 || copies == 0 {
        return None;
    }
    let per_sheet = up.checked_mul(2)?;
    let per_copy = pages.checked_add(per_sheet - 1)? / per_sheet;
    per_copy.checked_mul(copies)
}

fn query(target: &str, key: &str) -> Option<u64> {
    let (_, query) = target.split_once('?')?;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == key)
        .and_then(|(_, value)| value.parse().ok())
}

/// (status, body) for a request line such as `GET /sheets?pages=8&up=2&copies=10 HTTP/1.1`.
pub fn respond(request_line: &str) -> (u16, String) {
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if method != "GET" {
        return (405, "only GET\n".to_string());
    }
    let path = target.split('?').next().unwrap_or("");
    match path {
        "/health" => (200, "ok\n".to_string()),
        "/sheets" => {
            let wanted = (query(target, "pages"), query(target, "up"), query(target, "copies"));
            match wanted {
                (Some(pages), Some(up), Some(copies)) => match sheets(pages, up, copies) {
                    Some(count) => (200, format!("{{\"sheets\": {count}}}\n")),
                    None => (400, "pages, up and copies are positive\n".to_string()),
                },
                _ => (400, "give pages, up and copies\n".to_string()),
            }
        }
        _ => (404, "not found\n".to_string()),
    }
}

fn handle(mut stream: TcpStream) {
    let mut line = String::new();
    if BufReader::new(&stream).read_line(&mut line).is_err() {
        return;
    }
    let (status, body) = respond(line.trim_end());
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        _ => "Method Not Allowed",
    };
    let reply = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes());
}

fn main() {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8060".to_string());
    let listener = TcpListener::bind(("0.0.0.0", port.parse::<u16>().expect("PORT is a port")))
        .expect("cannot listen");
    println!("imposer listening on :{port}");
    for stream in listener.incoming().flatten() {
        thread::spawn(move || handle(stream));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheets_round_up_to_whole_sheets() {
        assert_eq!(sheets(8, 2, 10), Some(20));
        assert_eq!(sheets(9, 2, 1), Some(3));
        assert_eq!(sheets(0, 2, 1), None);
        assert_eq!(sheets(u64::MAX / 2, 1, 5), None);
        assert_eq!(sheets(1, u64::MAX, 1), None);
    }

    #[test]
    fn requests_are_answered() {
        assert_eq!(respond("GET /health HTTP/1.1"), (200, "ok\n".to_string()));
        let (status, body) = respond("GET /sheets?pages=16&up=4&copies=3 HTTP/1.1");
        assert_eq!((status, body.as_str()), (200, "{\"sheets\": 6}\n"));
        assert_eq!(respond("GET /sheets?pages=16 HTTP/1.1").0, 400);
        assert_eq!(respond("POST /health HTTP/1.1").0, 405);
        assert_eq!(respond("GET /nowhere HTTP/1.1").0, 404);
    }

    #[test]
    fn the_server_answers_over_tcp() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        thread::spawn(move || handle(listener.accept().unwrap().0));
        let mut client = TcpStream::connect(address).unwrap();
        client.write_all(b"GET /health HTTP/1.1\r\n\r\n").unwrap();
        let mut reply = String::new();
        std::io::Read::read_to_string(&mut client, &mut reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
        assert!(reply.ends_with("ok\n"));
    }
}
