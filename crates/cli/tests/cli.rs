//! The `homeward` command, run as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn homeward(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_homeward"))
        .args(args)
        .env_remove("HOMEWARD_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test]
async fn altering_an_audit_entry_makes_audit_verify_name_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("h.db").display());
    let o = homeward(&["migrate", "--database-url", &url], None);
    assert!(o.status.success(), "{}", text(&o));
    for name in ["ana", "ben", "cyd"] {
        let o = homeward(
            &[
                "user",
                "add",
                "--database-url",
                &url,
                "--username",
                name,
                "--display-name",
                name,
                "--role",
                "auditor",
            ],
            None,
        );
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains("Password (shown once)"));
    }
    let o = homeward(&["audit", "verify", "--database-url", &url], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("intact: 3 entries"), "{}", text(&o));

    let store = homeward_store::Store::connect(&url).await.unwrap();
    store
        .execute_unchecked("DROP TRIGGER audit_append_only_update")
        .await
        .unwrap();
    store
        .execute_unchecked("UPDATE audit_log SET action = 'user.delete' WHERE seq = 2")
        .await
        .unwrap();
    store.close().await;

    let o = homeward(&["audit", "verify", "--database-url", &url], None);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("broken at entry 2"), "{}", text(&o));
}

#[test]
fn users_get_a_password_from_standard_input_and_bad_input_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("h.db").display());
    let o = homeward(
        &[
            "user",
            "add",
            "--database-url",
            &url,
            "--username",
            "awa",
            "--display-name",
            "Awa",
            "--role",
            "counsellor",
            "--password-stdin",
        ],
        Some("a long enough password\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(!text(&o).contains("shown once"));
    let o = homeward(
        &[
            "user",
            "add",
            "--database-url",
            &url,
            "--username",
            "x",
            "--display-name",
            "X",
            "--role",
            "wizard",
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(
        text(&o).contains("--role wizard: unknown role"),
        "{}",
        text(&o)
    );
    let o = homeward(
        &[
            "user",
            "add",
            "--database-url",
            &url,
            "--username",
            "bo",
            "--display-name",
            "Bo",
            "--role",
            "counsellor",
            "--password-stdin",
        ],
        Some("short"),
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("password"), "{}", text(&o));
    let o = homeward(
        &[
            "user",
            "add",
            "--database-url",
            &url,
            "--username",
            "cyd",
            "--display-name",
            "Cy",
            "--role",
            "counsellor",
            "--office",
            "NOPE",
        ],
        None,
    );
    assert!(
        text(&o).contains("--office NOPE: no such office"),
        "{}",
        text(&o)
    );
    let o = homeward(&["migrate", "--database-url", "mysql://x"], None);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("sqlite:PATH or postgres://"),
        "{}",
        text(&o)
    );
}

#[test]
fn projections_rebuild_and_backups_copy_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("h.db").display());
    let o = homeward(&["migrate", "--database-url", &url], None);
    assert!(o.status.success(), "{}", text(&o));
    let rebuild = || {
        let o = homeward(&["rebuild-projections", "--database-url", &url], None);
        assert!(o.status.success(), "{}", text(&o));
        text(&o)
    };
    assert!(rebuild().contains("They matched what was stored"));
    let o = homeward(
        &[
            "generate",
            "--database-url",
            &url,
            "--cases",
            "300",
            "--as-of",
            "2026-11-01",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(rebuild().contains("They matched what was stored"));
    // A change to any read model is seen, and undone.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for change in [
        "UPDATE case_summaries SET members = members + 1 WHERE case_id = (SELECT MIN(case_id) FROM case_summaries)",
        "UPDATE case_people SET given_name = 'X' WHERE person_id = (SELECT MIN(person_id) FROM case_people)",
        "DELETE FROM person_tokens WHERE token = (SELECT MAX(token) FROM person_tokens)",
        "UPDATE stat_returns SET year = year + 1 WHERE case_id = (SELECT MIN(case_id) FROM stat_returns)",
        "UPDATE stat_interruptions SET year = year + 1 WHERE case_id = (SELECT MIN(case_id) FROM stat_interruptions)",
    ] {
        let changed = runtime.block_on(async {
            let store = homeward_store::Store::connect(&url).await.unwrap();
            let n = store.execute_unchecked(change).await.unwrap();
            store.close().await;
            n
        });
        assert!(changed > 0, "{change}: no row to change");
        let said = rebuild();
        assert!(
            said.contains("They differed from what was stored"),
            "{change}: {said}"
        );
        assert!(
            rebuild().contains("They matched what was stored"),
            "{change}"
        );
    }
    let backup = dir.path().join("copy.db");
    let o = homeward(
        &[
            "backup",
            "--database-url",
            &url,
            "--to",
            backup.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(backup.exists());
    let o = homeward(
        &[
            "backup",
            "--database-url",
            &url,
            "--to",
            backup.to_str().unwrap(),
        ],
        None,
    );
    assert!(!o.status.success(), "a backup never overwrites");
}

#[test]
fn logs_written_to_a_file_or_pipe_carry_no_colour_codes() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("h.db").display());
    let mut server = Command::new(env!("CARGO_BIN_EXE_homeward"))
        .args(["serve", "--bind", "127.0.0.1:0", "--database-url", &url])
        .env_remove("HOMEWARD_DATABASE_URL")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = String::new();
    let mut lines = BufReader::new(server.stderr.take().unwrap()).lines();
    // Up to the log line that says it serves, with its fields (or the end, should it not
    // start).
    for line in lines.by_ref() {
        let line = line.unwrap();
        log.push_str(&line);
        log.push('\n');
        if line.contains("INFO") && line.contains("backend") {
            break;
        }
    }
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(log.contains("backend"), "the server logged nothing: {log}");
    assert!(
        !log.contains('\u{1b}'),
        "colour codes in a piped log: {log:?}"
    );
}
