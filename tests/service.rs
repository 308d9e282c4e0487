//! Service mode: one `dashc run` runs every pipeline of a project; two
//! processes on one project and database run each pipeline once — the
//! second waits, says which process holds the pipeline, and takes over
//! when that process dies. On PostgreSQL (advisory locks) and SQLite
//! (lock files).

mod live;

use std::time::Duration;

use live::{db, free_port, project, start, wait_until};

fn program(a: u16, b: u16) -> String {
    format!(
        "type Order {{\n  id: int\n}}\n\n\
         source a_in: Order from webhook {{\n  listen: \"127.0.0.1:{a}\"\n  path: \"/a\"\n}}\n\n\
         source b_in: Order from webhook {{\n  listen: \"127.0.0.1:{b}\"\n  path: \"/b\"\n}}\n\n\
         sink a_out: Order into table {{\n  table: \"a\"\n  key: id\n}}\n\n\
         sink b_out: Order into table {{\n  table: \"b\"\n  key: id\n}}\n\n\
         pipeline pipe_a {{\n  a_in -> a_out\n}}\n\n\
         pipeline pipe_b {{\n  b_in -> b_out\n}}\n"
    )
}

/// POST one record; the status, or `None` when nothing listens.
fn post(port: u16, path: &str, id: u64) -> Option<u16> {
    let answer = post_body(port, path, &format!("{{\"id\": {id}}}"))?;
    answer.split(' ').nth(1)?.parse().ok()
}

fn two_processes_share_a_project(name: &str, db_url: &str) {
    let (a, b) = (free_port(), free_port());
    let dir = project(name, &program(a, b));
    let mut first = start(&dir, &["--db", db_url]);
    wait_until(
        "the first process to serve both",
        Duration::from_secs(60),
        || {
            assert!(first.is_running(), "{}", first.stderr());
            post(a, "/a", 1) == Some(202) && post(b, "/b", 1) == Some(202)
        },
    );
    let mut second = start(&dir, &["--db", db_url]);
    wait_until(
        "the second process to wait",
        Duration::from_secs(60),
        || {
            assert!(second.is_running(), "{}", second.stderr());
            second
                .stderr()
                .matches("is running in another process")
                .count()
                == 2
        },
    );
    let said = second.stderr();
    let pid = first.child.id();
    assert!(said.contains(&format!("dashc pid {pid}")), "{said}");
    // Only the first serves (the second has not bound the ports).
    for id in 2..20 {
        assert_eq!(post(a, "/a", id), Some(202));
    }
    first.kill();
    wait_until(
        "the second process to take over",
        Duration::from_secs(60),
        || {
            assert!(second.is_running(), "{}", second.stderr());
            post(a, "/a", 100) == Some(202) && post(b, "/b", 100) == Some(202)
        },
    );
    let stderr = second.stop();
    assert!(stderr.contains("pipeline pipe_a finished"), "{stderr}");
    assert!(stderr.contains("pipeline pipe_b finished"), "{stderr}");
    assert_eq!(db::int(db_url, "SELECT count(*) FROM a"), 20);
    assert_eq!(db::int(db_url, "SELECT count(*) FROM b"), 2);
}

#[test]
fn two_processes_on_postgres_run_each_pipeline_once() {
    let url = db::pg_schema("service_owner");
    two_processes_share_a_project("service-pg", &url);
}

#[test]
fn two_processes_on_sqlite_run_each_pipeline_once() {
    let dir = std::env::temp_dir().join(format!("dash-live-service-db-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("shared.db").display());
    two_processes_share_a_project("service-sqlite", &url);
}

#[test]
fn pipeline_picks_some_and_unknown_names_are_refused() {
    let (a, b) = (free_port(), free_port());
    let dir = project("service-pick", &program(a, b));
    let url = format!("sqlite://{}", dir.join("t.db").display());
    let mut run = start(&dir, &["--db", &url, "--pipeline", "pipe_b"]);
    wait_until("pipe_b to serve", Duration::from_secs(60), || {
        assert!(run.is_running(), "{}", run.stderr());
        post(b, "/b", 7) == Some(202)
    });
    assert_eq!(post(a, "/a", 7), None, "pipe_a must not run");
    let stderr = run.stop();
    assert!(!stderr.contains("pipe_a"), "{stderr}");
    let (code, stderr) =
        start(&dir, &["--db", &url, "--pipeline", "pipe_c"]).wait(Duration::from_secs(60));
    assert_eq!(code, Some(1));
    assert!(stderr.contains("no pipeline named `pipe_c`"), "{stderr}");
}

/// The README's live quickstart, as written there.
#[test]
fn the_live_quickstart_works_as_the_readme_says() {
    let dir = std::env::temp_dir().join(format!("dash-live-quickstart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("q.db").display());
    let project = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/live");
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let body = r#"[{"id": 1, "customer": " Ada ", "amount": 12.5}, {"id": 2, "customer": "bob", "amount": -1}]"#;
    assert!(readme.contains(body), "the README posts another body");
    let mut run = live::Run {
        child: std::process::Command::new(env!("CARGO_BIN_EXE_dashc"))
            .args(["run", project.to_str().unwrap(), "--db", &url])
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(dir.join("stderr.log")).unwrap())
            .spawn()
            .unwrap(),
        log: dir.join("stderr.log"),
    };
    let answer = std::sync::Mutex::new(String::new());
    wait_until("the quickstart to answer", Duration::from_secs(60), || {
        assert!(run.is_running(), "{}", run.stderr());
        match post_body(8088, "/hooks/orders", body) {
            Some(a) => {
                *answer.lock().unwrap() = a;
                true
            }
            None => false,
        }
    });
    let answer = answer.into_inner().unwrap();
    assert!(answer.starts_with("HTTP/1.1 202"), "{answer}");
    assert!(
        answer.contains(r#"{"accepted": 1, "dead_lettered": 1}"#),
        "{answer}"
    );
    run.stop();
    assert_eq!(db::texts(&url, "SELECT customer FROM orders"), ["ada"]);
    assert_eq!(db::int(&url, "SELECT count(*) FROM dash_dlq"), 1);
}

/// POST `body`; the whole answer, or `None` when nothing listens.
fn post_body(port: u16, path: &str, body: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).ok()?;
    Some(answer)
}
