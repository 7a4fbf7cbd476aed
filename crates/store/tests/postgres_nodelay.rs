//! PostgreSQL connections over TCP have Nagle's algorithm off (`TCP_NODELAY`).
//!
//! sqlx-core 0.9.0 dropped the option, and every statement written in more than one packet
//! then waited ~40 ms for the server's delayed acknowledgement (a rebuild ran five times
//! slower). The workspace carries a patched sqlx-core (vendor/README.md); this test fails
//! if the patch is lost, for instance when sqlx is upgraded to a release without the fix.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Reading a socket option of a descriptor this process holds needs `from_raw_fd`; the
// stream is never dropped, so the descriptor stays the driver's.
#![allow(unsafe_code)]

use std::mem::ManuallyDrop;
use std::net::TcpStream;
use std::os::fd::FromRawFd;

use homeward_store::testing::TestDb;

/// The port of a `postgres://` URL (5432 when it names none).
fn port_of(url: &str) -> u16 {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    match host_port.rsplit_once(':') {
        Some((_, port)) if !host_port.ends_with(']') => port.parse().expect("a port number"),
        _ => 5432,
    }
}

/// (connected to `port`, with `TCP_NODELAY`) for each TCP socket this process holds.
fn tcp_sockets_to(port: u16) -> Vec<bool> {
    let mut found = vec![];
    for entry in std::fs::read_dir("/proc/self/fd").expect("the process's descriptors") {
        let entry = entry.expect("a descriptor");
        let Ok(fd) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let is_socket = std::fs::read_link(entry.path())
            .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"));
        if !is_socket {
            continue;
        }
        // SAFETY: `fd` is open in this process (listed above) and is a socket; the stream
        // is wrapped in `ManuallyDrop`, so it is never closed here. Should the pool close
        // it meanwhile, the calls below fail and it is skipped.
        let stream = ManuallyDrop::new(unsafe { TcpStream::from_raw_fd(fd) });
        if stream.peer_addr().is_ok_and(|peer| peer.port() == port)
            && let Ok(nodelay) = stream.nodelay()
        {
            found.push(nodelay);
        }
    }
    found
}

#[tokio::test]
async fn postgres_connections_send_without_delay() {
    let Some(db) = TestDb::postgres()
        .await
        .expect("a PostgreSQL test database")
    else {
        return;
    };
    let url = db.url();
    assert!(
        !url.contains("host=/"),
        "this test needs PostgreSQL over TCP, not a Unix socket: {url}"
    );
    db.store.ping().await.expect("a query over the pool");
    let sockets = tcp_sockets_to(port_of(&url));
    assert!(
        !sockets.is_empty(),
        "no TCP connection to PostgreSQL found in /proc/self/fd"
    );
    assert!(
        sockets.iter().all(|nodelay| *nodelay),
        "a connection to PostgreSQL has Nagle's algorithm on ({} of {})",
        sockets.iter().filter(|n| !**n).count(),
        sockets.len()
    );
    db.finish().await.expect("clean-up");
}

#[test]
fn ports_of_urls() {
    assert_eq!(port_of("postgres://postgres@127.0.0.1:5432/test"), 5432);
    assert_eq!(
        port_of("postgres://u:p@db.example:6543/x?sslmode=off"),
        6543
    );
    assert_eq!(port_of("postgres://localhost/test"), 5432);
    assert_eq!(port_of("postgres://[::1]/test"), 5432);
    assert_eq!(port_of("postgres://[::1]:5433/test"), 5433);
}
