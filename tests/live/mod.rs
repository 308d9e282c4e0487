//! Helpers of the live-source tests: a project in a temporary directory,
//! `dashc run` as a child process (its stderr kept in a file), signals,
//! waiting for a condition, free ports. Databases through `db`.

#![allow(dead_code)]

#[path = "../../runtime/tests/common/db.rs"]
pub mod db;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A fresh directory holding `p.dash` with `program`.
pub fn project(name: &str, program: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dash-live-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("project dir");
    std::fs::write(dir.join("p.dash"), program).expect("p.dash");
    dir
}

/// A running `dashc run`.
pub struct Run {
    pub child: Child,
    pub log: PathBuf,
}

/// Start `dashc run DIR ARGS…`, stdout to `stdout.log`, stderr to
/// `stderr-N.log` in the project (N counts the runs).
pub fn start(dir: &Path, args: &[&str]) -> Run {
    start_with_env(dir, args, &[])
}

pub fn start_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let n = std::fs::read_dir(dir)
        .map(|d| {
            d.filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().starts_with("stderr-"))
            })
            .count()
        })
        .unwrap_or(0);
    let log = dir.join(format!("stderr-{n}.log"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dashc"));
    cmd.arg("run").arg(dir).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd
        .stdout(std::fs::File::create(dir.join("stdout.log")).expect("stdout.log"))
        .stderr(std::fs::File::create(&log).expect("stderr log"))
        .stdin(Stdio::null())
        .spawn()
        .expect("dashc run");
    Run { child, log }
}

impl Run {
    /// What it printed on stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill");
        assert!(status.success(), "kill -{signal}");
    }

    /// SIGKILL and reap.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Wait for the exit (at most `limit`); its status code.
    pub fn wait(mut self, limit: Duration) -> (Option<i32>, String) {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return (status.code(), self.stderr());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "dashc did not exit within {limit:?}; stderr:\n{}",
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, then wait for a clean exit.
    pub fn stop(self) -> String {
        self.signal("TERM");
        let (code, stderr) = self.wait(Duration::from_secs(30));
        assert_eq!(code, Some(0), "exit after SIGTERM; stderr:\n{stderr}");
        stderr
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }
}

/// Poll `check` every 20 ms until it holds; panics with `what` after
/// `limit`.
pub fn wait_until(what: &str, limit: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A TCP port free on 127.0.0.1 right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `count(*)` of `table`, or -1 while it cannot be read (not created yet).
pub fn count(url: &str, table: &str) -> i64 {
    db::try_int(url, &format!("SELECT count(*) FROM {table}")).unwrap_or(-1)
}

/// `count(DISTINCT col)` of `table`.
pub fn distinct(url: &str, table: &str, column: &str) -> i64 {
    db::int(
        url,
        &format!("SELECT count(DISTINCT {column}) FROM {table}"),
    )
}
