//! `dashc migrate`, on SQLite, PostgreSQL without TimescaleDB and with
//! it: it prints the steps a project needs and changes nothing; `--apply`
//! makes them; a second run of either finds nothing to do; a changed
//! program needs exactly its changes; a database a run made needs none
//! (what `migrate` plans is what a run does).

#[path = "../runtime/tests/common/db.rs"]
mod db;

use std::path::{Path, PathBuf};
use std::process::Command;

const PROGRAM: &str = "type Reading {\n  station: string\n  ts: timestamp\n  temp_c: float\n}\n\n\
source readings: Reading from file {\n  path: \"in.jsonl\"\n}\n\n\
sink series: Reading into table {\n  table: \"series\"\n  time: ts\n  chunk: 1d\n  retention: 30d\n  \
compress_after: 7d\n  key: [station, ts]\n  rollup hourly every 1h {\n    n: count()\n    avg_c: avg(temp_c)\n  }\n  \
rollup daily every 1d {\n    hi: max(temp_c)\n  }\n}\n\n\
pipeline load {\n  readings -> series\n}\n";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Engine {
    Sqlite,
    Postgres,
    Timescale,
}

const ENGINES: [Engine; 3] = [Engine::Sqlite, Engine::Postgres, Engine::Timescale];

/// A project and its database (`None`: the default SQLite file).
struct Case {
    dir: PathBuf,
    engine: Engine,
    db: Option<(String, String)>,
}

impl Case {
    fn new(tag: &str, engine: Engine) -> Case {
        let dir = std::env::temp_dir().join(format!(
            "dash-migrate-{tag}-{engine:?}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("p.dash"), PROGRAM).unwrap();
        let now = chrono::Utc::now();
        let rows: String = (0..2)
            .map(|i| {
                let ts = (now - chrono::Duration::hours(i)).to_rfc3339();
                format!("{{\"station\": \"s{i}\", \"ts\": \"{ts}\", \"temp_c\": 1.5}}\n")
            })
            .collect();
        std::fs::write(dir.join("in.jsonl"), rows).unwrap();
        let db = match engine {
            Engine::Sqlite => None,
            Engine::Postgres => Some(db::database(&format!("dash_mig_{tag}"), false)),
            Engine::Timescale => Some(db::database(&format!("dash_mig_ts_{tag}"), true)),
        };
        Case { dir, engine, db }
    }

    fn url(&self) -> Option<&str> {
        self.db.as_ref().map(|(_, url)| url.as_str())
    }

    /// `dashc COMMAND DIR [--db URL] [args]`: (success, stdout, stderr).
    fn dashc(&self, command: &str, args: &[&str]) -> (bool, String, String) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dashc"));
        cmd.arg(command)
            .arg(&self.dir)
            .args(args)
            .env("NO_COLOR", "1");
        if let Some(url) = self.url() {
            cmd.args(["--db", url]);
        }
        let out = cmd.output().expect("run dashc");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `dashc migrate [args]`, which must succeed: (stdout, stderr).
    fn migrate(&self, args: &[&str]) -> (String, String) {
        let (ok, out, err) = self.dashc("migrate", args);
        assert!(ok, "{:?}: migrate {args:?} failed: {err}", self.engine);
        (out, err)
    }

    fn assert_nothing_to_do(&self, args: &[&str]) {
        let (out, err) = self.migrate(args);
        assert_eq!(out, "", "{:?}: migrate {args:?}: {err}", self.engine);
        assert!(
            err.contains("nothing to do; the database is in step with the project"),
            "{:?}: migrate {args:?}: {err}",
            self.engine
        );
    }

    /// One-column answers of `sql` on the case's database.
    fn texts(&self, sql: &str) -> Vec<String> {
        match self.url() {
            Some(url) => db::texts(url, sql),
            None => db::texts(&sqlite_url(&self.dir), sql),
        }
    }

    fn edit(&self, from: &str, to: &str) {
        let path = self.dir.join("p.dash");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{from}");
        std::fs::write(&path, text.replace(from, to)).unwrap();
    }
}

impl Drop for Case {
    fn drop(&mut self) {
        if let Some((name, _)) = &self.db {
            db::drop_database(name);
        }
    }
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("dash.db").display())
}

/// What the database holds of the sink, as the engine makes it.
fn storage(case: &Case) -> Vec<String> {
    match case.engine {
        Engine::Sqlite => case.texts(
            "SELECT name FROM sqlite_master WHERE name IN ('series', 'series_key', 'series_time') \
             ORDER BY name",
        ),
        Engine::Postgres => case.texts(
            "SELECT relname || ' ' || relkind::text FROM pg_class WHERE relname IN \
             ('series', 'series_default', 'series_key', 'hourly', 'daily') ORDER BY relname",
        ),
        Engine::Timescale => {
            let mut found = case.texts(
                "SELECT 'hypertable ' || hypertable_name FROM timescaledb_information.hypertables \
                 WHERE hypertable_schema = 'public' \
                 UNION ALL SELECT 'aggregate ' || view_name \
                 FROM timescaledb_information.continuous_aggregates \
                 UNION ALL SELECT proc_name || ' ' || hypertable_name || ' ' || \
                 COALESCE(config->>'drop_after', config->>'compress_after', 'refresh') \
                 FROM timescaledb_information.jobs WHERE hypertable_name IS NOT NULL",
            );
            found.sort();
            found
        }
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn migrate_prints_then_applies_once_and_follows_the_program() {
    for engine in ENGINES {
        let case = Case::new("apply", engine);
        // Printed: every step, and nothing changed.
        let (script, err) = case.migrate(&[]);
        let table_step = match engine {
            Engine::Sqlite => "-- create table `series`\n",
            Engine::Postgres => "-- create table `series`, range-partitioned on `ts`",
            Engine::Timescale => "-- create table `series`, a hypertable on `ts`\n",
        };
        for step in [
            "-- Dash's own tables: migration 1 (dash tables)\n",
            "-- create the dead-letter table `dash_dlq`\n",
            table_step,
        ] {
            assert!(script.contains(step), "{engine:?}: {step}\n{script}");
        }
        let rollups = match engine {
            Engine::Sqlite => 0,
            Engine::Postgres => 2,
            Engine::Timescale => 4, // each view and its refresh policy
        };
        assert_eq!(
            script.matches("rollup `").count(),
            rollups,
            "{engine:?}: {script}"
        );
        let steps: usize = err
            .split(" steps needed (printed above)")
            .next()
            .and_then(|head| head.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{engine:?}: {err}"));
        // Dash's tables (3 migrations), the DLQ, the table, the rollups.
        assert_eq!(steps, 5 + rollups, "{engine:?}: {script}");
        match engine {
            Engine::Sqlite => assert!(!case.dir.join("dash.db").exists()),
            _ => assert_eq!(
                case.texts(
                    "SELECT relname::text FROM pg_class WHERE relname IN ('series', 'dash_dlq', \
                     'dash_checkpoints')"
                ),
                Vec::<String>::new(),
                "{engine:?}: printing changed the database"
            ),
        }
        // Applied: all of it; then nothing is left to do.
        let (applied, err) = case.migrate(&["--apply"]);
        assert_eq!(applied, script, "{engine:?}: apply printed other steps");
        assert!(
            err.contains(&format!("applied {steps} steps")),
            "{engine:?}: {err}"
        );
        let made = match engine {
            Engine::Sqlite => strings(&["series", "series_key", "series_time"]),
            Engine::Postgres => strings(&[
                "daily r",
                "hourly r",
                "series p",
                "series_default r",
                "series_key I",
            ]),
            Engine::Timescale => strings(&[
                "aggregate daily",
                "aggregate hourly",
                "hypertable series",
                "policy_compression series 7 days",
                "policy_refresh_continuous_aggregate daily refresh",
                "policy_refresh_continuous_aggregate hourly refresh",
                "policy_retention series 30 days",
            ]),
        };
        assert_eq!(storage(&case), made, "{engine:?}");
        case.assert_nothing_to_do(&[]);
        case.assert_nothing_to_do(&["--apply"]);
        // A run finds the tables made, and leaves nothing to do either.
        let (ok, _, err) = case.dashc("run", &[]);
        assert!(ok, "{engine:?}: {err}");
        assert_eq!(
            case.texts("SELECT CAST(count(*) AS TEXT) FROM series"),
            vec!["2"]
        );
        case.assert_nothing_to_do(&[]);

        // A new nullable field, a longer retention, narrower chunks.
        case.edit("  temp_c: float\n}", "  temp_c: float\n  note: string?\n}");
        case.edit("retention: 30d", "retention: 60d");
        case.edit("chunk: 1d", "chunk: 12h");
        let (script, _) = case.migrate(&[]);
        let mut about: Vec<&str> = script.lines().filter(|l| l.starts_with("-- ")).collect();
        // (No migration of Dash's own tables is left: every line is a step's.)
        about.sort();
        let expected: &[&str] = match engine {
            Engine::Timescale => &[
                "-- add column `note` to table `series`",
                "-- set the chunk width of table `series` (for new chunks)",
                "-- set the compression and retention policies of table `series`",
            ],
            _ => &["-- add column `note` to table `series`"],
        };
        assert_eq!(about, expected, "{engine:?}: {script}");
        case.migrate(&["--apply"]);
        case.assert_nothing_to_do(&[]);
        assert_eq!(
            case.texts("SELECT CAST(count(note) AS TEXT) FROM series"),
            vec!["0"],
            "{engine:?}: the column was added"
        );
        if engine == Engine::Timescale {
            assert!(
                storage(&case).contains(&"policy_retention series 60 days".to_string()),
                "{:?}",
                storage(&case)
            );
        }

        // A change Dash does not make stops `migrate` as it stops a run.
        case.edit("  temp_c: float\n  note", "  temp_c: int\n  note");
        let (ok, out, err) = case.dashc("migrate", &["--apply"]);
        assert!(!ok, "{engine:?}: {out}");
        assert!(
            err.contains("whose column `temp_c` is")
                && err.contains("Dash does not change column types"),
            "{engine:?}: {err}"
        );
    }
}

/// What `migrate` plans is what a run does: a database made by a run
/// alone needs nothing more.
#[test]
fn a_database_made_by_a_run_needs_no_migration() {
    for engine in ENGINES {
        let case = Case::new("run", engine);
        let (ok, _, err) = case.dashc("run", &[]);
        assert!(ok, "{engine:?}: {err}");
        case.assert_nothing_to_do(&[]);
    }
}
