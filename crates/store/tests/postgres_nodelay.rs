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
use std::str::FromStr;

use homeward_store::testing::TestDb;
use sqlx::postgres::PgConnectOptions;

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
    let options = PgConnectOptions::from_str(&url).expect("a PostgreSQL URL");
    assert!(
        options.get_socket().is_none(),
        "this test needs PostgreSQL over TCP, not a Unix socket: {url}"
    );
    db.store.ping().await.expect("a query over the pool");
    let sockets = tcp_sockets_to(options.get_port());
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
