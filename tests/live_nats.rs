//! `nats` sources against a real NATS JetStream server and a real
//! PostgreSQL, with `dashc run` as a child process: a message is acked only
//! after its batch committed, so a crash, a server restart or a second
//! process loses nothing and (with a sink `key`) writes nothing twice.
//!
//! Each test has its own stream, subjects, consumer and schema, so they
//! run in parallel. The server at 127.0.0.1:4222 is shared; the restart
//! test starts its own `nats-server` on a free port.

mod live;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use live::{count, db, distinct, free_port, project, start, wait_until};

const SHARED: &str = "nats://127.0.0.1:4222";
/// Messages per test.
const N: u64 = 10_000;
/// Longer than `ack_wait` (10 s) plus the time a debug `dashc` on a busy
/// machine takes to write N rows.
const FINISH: Duration = Duration::from_secs(50);

/// A JetStream stream of this test, deleted when dropped.
struct Stream {
    rt: tokio::runtime::Runtime,
    js: jetstream::Context,
    name: String,
    /// Subjects are `{prefix}.0` … `{prefix}.2`.
    prefix: String,
}

impl Stream {
    /// A fresh stream `DASH_{TEST}_{pid}` on `url` for `{prefix}.>`.
    fn new(url: &str, test: &str) -> Stream {
        let name = format!("DASH_{}_{}", test.to_uppercase(), std::process::id());
        let prefix = format!("dash_{test}_{}", std::process::id());
        let stream = Stream::connect(url, &name, &prefix);
        stream.rt.block_on(async {
            let _ = stream.js.delete_stream(&name).await;
            stream
                .js
                .create_stream(stream::Config {
                    name: name.clone(),
                    subjects: vec![format!("{prefix}.>")],
                    storage: stream::StorageType::File,
                    ..Default::default()
                })
                .await
                .expect("create stream");
        });
        stream
    }

    /// The existing stream `name` (after a server restart).
    fn connect(url: &str, name: &str, prefix: &str) -> Stream {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        // `jetstream::new` starts a task: inside the runtime.
        let js = rt.block_on(async {
            jetstream::new(async_nats::connect(url).await.expect("connect to NATS"))
        });
        Stream {
            js,
            rt,
            name: name.to_string(),
            prefix: prefix.to_string(),
        }
    }

    fn subject(&self) -> String {
        format!("{}.>", self.prefix)
    }

    /// Publish `{"id": i, "price": …}` for each `i` in `ids`, waiting for
    /// the server to have stored each one.
    fn publish(&self, ids: std::ops::Range<u64>) {
        self.rt.block_on(async {
            let ids: Vec<u64> = ids.collect();
            for chunk in ids.chunks(2000) {
                let mut acks = Vec::with_capacity(chunk.len());
                for i in chunk {
                    let payload = format!(r#"{{"id": {i}, "price": {}.5}}"#, i % 1000);
                    let subject = format!("{}.{}", self.prefix, i % 3);
                    acks.push(
                        self.js
                            .publish(subject, payload.into())
                            .await
                            .expect("publish"),
                    );
                }
                for ack in acks {
                    ack.await.expect("publish ack");
                }
            }
        });
    }

    fn consumer(&self, name: &str) -> consumer::Info {
        self.rt.block_on(async {
            self.js
                .get_stream(&self.name)
                .await
                .expect("stream")
                .consumer_info(name)
                .await
                .expect("consumer info")
        })
    }

    /// The consumer's state, or `None` while it does not exist.
    fn try_consumer(&self, name: &str) -> Option<consumer::Info> {
        self.rt.block_on(async {
            let stream = self.js.get_stream(&self.name).await.ok()?;
            stream.consumer_info(name).await.ok()
        })
    }

    /// Wait until the consumer has delivered and acked all `n` messages.
    fn wait_all_acked(&self, consumer: &str, n: u64) {
        wait_until("every message acked", FINISH, || {
            let info = self.consumer(consumer);
            info.num_pending == 0
                && info.num_ack_pending == 0
                && info.ack_floor.stream_sequence == n
        });
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        let _ = self.rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(2), self.js.delete_stream(&self.name)).await
        });
    }
}

/// A project reading the stream into table `ticks` (key `id`).
fn program(url: &str, stream: &Stream, consumer: &str) -> String {
    program_for(url, &stream.name, &stream.subject(), consumer)
}

fn program_for(url: &str, stream: &str, subject: &str, consumer: &str) -> String {
    format!(
        r#"type Tick {{
  id: int
  price: float
}}

source ticks: Tick from nats {{
  url: "{url}"
  stream: "{stream}"
  subject: "{subject}"
  consumer: "{consumer}"
}}

sink stored: Tick into table {{
  table: "ticks"
  key: id
}}

pipeline ingest {{
  ticks -> stored
}}
"#
    )
}

fn rows(db: &str) -> i64 {
    count(db, "ticks")
}

/// Exactly `n` rows, one per id.
fn assert_exactly(db: &str, n: u64) {
    assert_eq!(rows(db), n as i64, "rows");
    assert_eq!(distinct(db, "ticks", "id"), n as i64, "distinct ids");
    assert_eq!(
        db::int(
            db,
            &format!("SELECT count(*) FROM ticks WHERE id < 0 OR id >= {n}")
        ),
        0,
        "ids out of range"
    );
}

#[test]
fn killed_mid_stream_restart_writes_each_message_once() {
    let stream = Stream::new(SHARED, "kill");
    let consumer = format!("dash_kill_{}", std::process::id());
    let dir = project("nats-kill", &program(SHARED, &stream, &consumer));
    let db = db::pg_schema("nats_kill");
    stream.publish(0..N);

    let run = start(&dir, &["--db", &db]);
    wait_until("some rows", FINISH, || rows(&db) >= 2000);
    run.kill();
    let at_kill = rows(&db);
    assert!(
        at_kill < N as i64,
        "the kill came after the end ({at_kill} rows)"
    );

    // Messages delivered to the killed process and never acked come back
    // after ack_wait; their rows (if committed) are not written again.
    let run = start(&dir, &["--db", &db]);
    wait_until("all rows", FINISH, || rows(&db) >= N as i64);
    stream.wait_all_acked(&consumer, N);
    run.stop();
    assert_exactly(&db, N);
}

#[test]
fn in_flight_messages_are_bounded_while_the_database_stalls() {
    let stream = Stream::new(SHARED, "bound");
    let consumer = format!("dash_bound_{}", std::process::id());
    let dir = project("nats-bound", &program(SHARED, &stream, &consumer));
    let db = db::pg_schema("nats_bound");
    stream.publish(0..1);
    let run = start(&dir, &["--db", &db]);
    wait_until("the first row", FINISH, || rows(&db) == 1);

    // The table locked against writes (reads go on) by a transaction of
    // the test: no batch commits, so nothing is acked, and the server
    // stops delivering at the bound.
    let (locked, wait_locked) = std::sync::mpsc::channel();
    let (unlock, wait_unlock) = std::sync::mpsc::channel::<()>();
    let locker_url = db.clone();
    let locker = std::thread::spawn(move || {
        db::block_on(async {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(&locker_url)
                .await
                .expect("connect");
            let mut tx = c.begin().await.expect("begin");
            sqlx::query("LOCK TABLE ticks IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await
                .expect("lock");
            locked.send(()).expect("the test waits");
            let _ = wait_unlock.recv();
            tx.rollback().await.expect("rollback");
        })
    });
    wait_locked.recv().expect("locked");
    stream.publish(1..N);
    // Three batches of the default 1000, plus two pulls of 1024.
    let bound = 3 * 1000 + 2 * 1024;
    wait_until("the bound reached", Duration::from_secs(8), || {
        stream.consumer(&consumer).num_ack_pending == bound
    });
    std::thread::sleep(Duration::from_millis(500));
    let info = stream.consumer(&consumer);
    assert_eq!(info.config.max_ack_pending, bound as i64);
    assert_eq!(info.num_ack_pending, bound, "no more delivered");
    assert!(info.num_pending > 0, "messages wait on the server");
    assert_eq!(rows(&db), 1, "nothing committed while locked");

    unlock.send(()).expect("the locker waits");
    locker.join().expect("the locker");
    wait_until("all rows", FINISH, || rows(&db) >= N as i64);
    stream.wait_all_acked(&consumer, N);
    run.stop();
    assert_exactly(&db, N);
}

#[test]
fn two_processes_share_one_consumer() {
    let stream = Stream::new(SHARED, "two");
    let consumer = format!("dash_two_{}", std::process::id());
    let dir = project("nats-two", &program(SHARED, &stream, &consumer));
    let db = db::pg_schema("nats_two");

    // The second starts once the first is pulling: two first runs at the
    // same instant on a fresh database race to create its tables (known;
    // store set-up, not the source).
    let pulling = |n: usize| {
        wait_until("processes pulling", FINISH, || {
            stream
                .try_consumer(&consumer)
                .is_some_and(|c| c.num_waiting >= n)
        })
    };
    let a = start(&dir, &["--db", &db]);
    pulling(1);
    let b = start(&dir, &["--db", &db]);
    // Both are pulling before anything is published: both get messages.
    pulling(2);
    stream.publish(0..N);
    wait_until("all rows", FINISH, || rows(&db) >= N as i64);
    stream.wait_all_acked(&consumer, N);
    a.stop();
    b.stop();
    assert_exactly(&db, N);

    let read: Vec<i64> = db::texts(
        &db,
        "SELECT CAST(read AS TEXT) FROM dash_runs WHERE pipeline = 'ingest' ORDER BY id",
    )
    .iter()
    .map(|r| r.parse().expect("read"))
    .collect();
    assert_eq!(read.len(), 2, "two runs: {read:?}");
    assert!(
        read.iter().all(|&r| r > 0),
        "each process read some: {read:?}"
    );
    // Every message was read at least once (more only if a commit took
    // longer than ack_wait).
    assert!(read.iter().sum::<i64>() >= N as i64, "read: {read:?}");
}

/// A `nats-server -js` of one test, on its own port and store.
struct Server {
    child: Child,
    port: u16,
    store: PathBuf,
}

impl Server {
    fn start(port: u16, store: &Path) -> Server {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(store.with_extension("log"))
            .expect("server log");
        let child = Command::new("nats-server")
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(store)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("nats-server");
        wait_until("nats-server listening", Duration::from_secs(10), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        Server {
            child,
            port,
            store: store.to_path_buf(),
        }
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// SIGKILL, then the same server again on the same store and port.
    fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let again = Server::start(self.port, &self.store);
        let old = std::mem::replace(self, again);
        std::mem::forget(old); // its child is reaped already
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn server_restart_mid_run_loses_nothing() {
    let store = std::env::temp_dir().join(format!("dash-nats-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&store);
    std::fs::create_dir_all(&store).expect("store dir");
    let mut server = Server::start(free_port(), &store);
    let url = server.url();
    let first = Stream::new(&url, "restart");
    let consumer = format!("dash_restart_{}", std::process::id());
    let dir = project("nats-restart", &program(&url, &first, &consumer));
    let db = db::pg_schema("nats_restart");
    let half = N / 2;
    first.publish(0..half);

    let run = start(&dir, &["--db", &db]);
    wait_until("some rows", FINISH, || rows(&db) >= 1000);
    server.restart();
    // The stream and the consumer come back from the store.
    let (name, prefix) = (first.name.clone(), first.prefix.clone());
    std::mem::forget(first); // its client talks to the dead server
    let second = Stream::connect(&url, &name, &prefix);
    wait_until("stream recovered", Duration::from_secs(10), || {
        second.try_consumer(&consumer).is_some()
    });
    second.publish(half..N);

    wait_until("all rows", FINISH, || rows(&db) >= N as i64);
    second.wait_all_acked(&consumer, N);
    let stderr = run.stop();
    assert_exactly(&db, N);
    drop(second);
    drop(server);
    let _ = std::fs::remove_dir_all(&store);
    let _ = std::fs::remove_file(store.with_extension("log"));
    assert!(!stderr.contains("panicked"), "stderr:\n{stderr}");
}

#[test]
fn sigterm_drains_acks_and_a_restart_finishes() {
    let stream = Stream::new(SHARED, "term");
    let consumer = format!("dash_term_{}", std::process::id());
    let dir = project("nats-term", &program(SHARED, &stream, &consumer));
    let db = db::pg_schema("nats_term");
    stream.publish(0..N);

    let run = start(&dir, &["--db", &db]);
    wait_until("some rows", FINISH, || rows(&db) >= 2000);
    let stderr = run.stop(); // exit code 0 within 30 s
    let committed = rows(&db);
    assert!(
        committed < N as i64,
        "SIGTERM came after the end ({committed} rows)"
    );
    // Every committed message was acked before the exit (and no other):
    // what was pulled and not committed waits for ack_wait (10 s), well
    // after this check's limit.
    wait_until("acks of the committed rows", Duration::from_secs(5), || {
        let info = stream.consumer(&consumer);
        let acked = N - info.num_pending - info.num_ack_pending as u64;
        acked == committed as u64
    });
    assert!(stderr.contains("ingest"), "a summary on stderr:\n{stderr}");

    let run = start(&dir, &["--db", &db]);
    wait_until("all rows", FINISH, || rows(&db) >= N as i64);
    stream.wait_all_acked(&consumer, N);
    run.stop();
    assert_exactly(&db, N);
}

#[test]
fn missing_stream_fails_naming_it() {
    let missing = format!("DASH_MISSING_{}", std::process::id());
    let program = program_for(SHARED, &missing, "dash_missing.>", "dash_missing");
    let dir = project("nats-missing", &program);
    let db = db::pg_schema("nats_missing");
    let (code, stderr) = start(&dir, &["--db", &db]).wait(Duration::from_secs(20));
    assert_ne!(code, Some(0), "stderr:\n{stderr}");
    assert!(
        stderr.contains(&format!("stream `{missing}` not found")),
        "stderr:\n{stderr}"
    );
}

#[test]
fn refused_connection_fails_naming_the_server() {
    let url = format!("nats://127.0.0.1:{}", free_port());
    let program = program_for(&url, "DASH_NOWHERE", "nowhere.>", "nowhere");
    let dir = project("nats-refused", &program);
    let db = db::pg_schema("nats_refused");
    let (code, stderr) = start(&dir, &["--db", &db]).wait(Duration::from_secs(20));
    assert_ne!(code, Some(0), "stderr:\n{stderr}");
    assert!(
        stderr.contains(&format!("cannot connect to NATS at {url}")),
        "stderr:\n{stderr}"
    );
}
