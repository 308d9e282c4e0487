//! `dash.yaml`: what must not live in pipeline code. Read with
//! `serde_norway` (a maintained fork of the deprecated `serde_yaml`).
//!
//! ```yaml
//! database: postgres://app:${DB_PASSWORD}@db/app   # ${ENV} is expanded
//! batch: 5000          # default `batch` of sinks
//! linger: 200ms        # default `linger`
//! dlq: dash_dlq        # default DLQ table
//! retry_for: 2m        # how long a batch keeps retrying an unreachable database
//! copy_format: binary  # PostgreSQL COPY format: binary (default) | text
//! shutdown_timeout: 30s # after SIGINT/SIGTERM, how long committing what is buffered may take
//! env:
//!   prod:
//!     database: postgres://…
//! ```

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use crate::store::CopyFormat;

/// `dash.yaml`, validated: every value decoded into its type once, here.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    pub database: Option<String>,
    pub batch: Option<usize>,
    pub linger: Option<Duration>,
    pub dlq: Option<String>,
    pub retry_for: Option<Duration>,
    /// How long a signalled process may take to commit what it buffered
    /// before it exits anyway (default 30 s).
    pub shutdown_timeout: Option<Duration>,
    pub copy_format: CopyFormat,
}

/// The file as written.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    database: Option<String>,
    batch: Option<usize>,
    linger: Option<String>,
    dlq: Option<String>,
    retry_for: Option<String>,
    #[serde(default)]
    copy_format: CopyFormat,
    #[serde(default)]
    env: HashMap<String, Overrides>,
    shutdown_timeout: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Overrides {
    database: Option<String>,
    batch: Option<usize>,
    linger: Option<String>,
    dlq: Option<String>,
    retry_for: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read `{path}`: {message}")]
    Read { path: String, message: String },
    #[error("`{path}`: {message}")]
    Invalid { path: String, message: String },
    #[error("`{path}`: environment `{env}` is not defined under `env:`")]
    UnknownEnv { path: String, env: String },
    #[error("`{path}`: `${{{var}}}` is not set in the environment")]
    MissingVar { path: String, var: String },
}

/// Load `dash.yaml` from `dir` (absent = defaults), apply the `--env`
/// overrides and expand `${VAR}`s.
pub fn load(dir: &Path, env: Option<&str>) -> Result<Config, ConfigError> {
    let path = dir.join("dash.yaml");
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return match env {
                Some(env) => Err(ConfigError::UnknownEnv {
                    path: shown,
                    env: env.into(),
                }),
                None => Ok(Config::default()),
            };
        }
        Err(e) => {
            return Err(ConfigError::Read {
                path: shown,
                message: e.to_string(),
            });
        }
    };
    let mut config: File = serde_norway::from_str(&text).map_err(|e| ConfigError::Invalid {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    if let Some(env) = env {
        let o = config
            .env
            .get(env)
            .cloned()
            .ok_or_else(|| ConfigError::UnknownEnv {
                path: shown.clone(),
                env: env.into(),
            })?;
        config.database = o.database.or(config.database);
        config.batch = o.batch.or(config.batch);
        config.linger = o.linger.or(config.linger);
        config.dlq = o.dlq.or(config.dlq);
        config.retry_for = o.retry_for.or(config.retry_for);
    }
    if let Some(db) = &config.database {
        config.database = Some(expand(db, &shown)?);
    }
    let invalid = |key: &str, value: &str, expected: &str| ConfigError::Invalid {
        path: shown.clone(),
        message: format!("`{key}: {value}` is not valid: {expected}"),
    };
    let duration = |key: &str, value: &Option<String>| -> Result<Option<Duration>, ConfigError> {
        value
            .as_deref()
            .map(|v| {
                parse_duration(v).ok_or_else(|| {
                    invalid(
                        key,
                        v,
                        "expected a duration such as `200ms`, `5s`, `2m`, `1h` or `1d`",
                    )
                })
            })
            .transpose()
    };
    if config.batch == Some(0) {
        return Err(invalid(
            "batch",
            "0",
            "expected a whole number of at least 1",
        ));
    }
    if config.dlq.as_deref().is_some_and(|d| d.trim().is_empty()) {
        return Err(invalid("dlq", "\"\"", "expected a table name"));
    }
    Ok(Config {
        linger: duration("linger", &config.linger)?,
        retry_for: duration("retry_for", &config.retry_for)?,
        shutdown_timeout: duration("shutdown_timeout", &config.shutdown_timeout)?,
        database: config.database,
        batch: config.batch,
        dlq: config.dlq,
        copy_format: config.copy_format,
    })
}

/// `200ms`, `5s`, `2m`, `1h`, `1d`: a positive whole number and a unit.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = text.split_at(split);
    let n: u64 = n.parse().ok().filter(|n| *n > 0)?;
    let secs = |k: u64| n.checked_mul(k).map(Duration::from_secs);
    match unit {
        "ms" => Some(Duration::from_millis(n)),
        "s" => secs(1),
        "m" => secs(60),
        "h" => secs(3600),
        "d" => secs(86_400),
        _ => None,
    }
}

impl Config {
    /// The project database: `--db URL`, else `database:`, else the
    /// embedded SQLite file `dash.db` beside the pipeline files.
    ///
    /// A relative SQLite path in `database:` is relative to the project
    /// (like `dash.db` and the sources' paths); one given with `--db` is
    /// relative to the current directory, as command-line paths are.
    pub fn database_url(&self, db: Option<&str>, dir: &Path) -> String {
        if let Some(db) = db {
            return db.to_string();
        }
        match &self.database {
            Some(url) => match url.strip_prefix("sqlite://") {
                Some(path) if !path.starts_with('/') && !path.starts_with(':') => {
                    format!("sqlite://{}", dir.join(path).display())
                }
                _ => url.clone(),
            },
            None => format!("sqlite://{}", dir.join("dash.db").display()),
        }
    }
}

/// Replace every `${VAR}` by the environment variable's value.
pub fn expand(text: &str, path: &str) -> Result<String, ConfigError> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let var = &rest[start + 2..start + end];
        let value = std::env::var(var).map_err(|_| ConfigError::MissingVar {
            path: path.into(),
            var: var.into(),
        })?;
        out.push_str(&value);
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

pub use crate::store::mask_url;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords() {
        assert_eq!(
            mask_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(mask_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(mask_url("sqlite://dash.db"), "sqlite://dash.db");
    }

    #[test]
    fn expands_env_vars() {
        // SAFETY: tests in this module do not read this variable concurrently.
        unsafe { std::env::set_var("DASH_TEST_PW", "pw") };
        assert_eq!(expand("a:${DASH_TEST_PW}@b", "x").unwrap(), "a:pw@b");
        assert!(expand("${DASH_TEST_MISSING_VAR}", "x").is_err());
    }

    #[test]
    fn env_overrides() {
        let dir = std::env::temp_dir().join(format!("dash-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("dash.yaml"),
            "database: sqlite://dev.db\nbatch: 10\nenv:\n  prod:\n    database: sqlite://prod.db\n",
        )
        .unwrap();
        let dev = load(&dir, None).unwrap();
        assert_eq!(dev.database.as_deref(), Some("sqlite://dev.db"));
        let prod = load(&dir, Some("prod")).unwrap();
        assert_eq!(prod.database.as_deref(), Some("sqlite://prod.db"));
        assert_eq!(prod.batch, Some(10));
        assert!(load(&dir, Some("nope")).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_relative_sqlite_database_is_relative_to_the_project() {
        let config = Config {
            database: Some("sqlite://data/other.db".into()),
            ..Config::default()
        };
        let dir = Path::new("/projects/weather");
        assert_eq!(
            config.database_url(None, dir),
            "sqlite:///projects/weather/data/other.db"
        );
        assert_eq!(
            config.database_url(Some("sqlite://x.db"), dir),
            "sqlite://x.db"
        );
        let absolute = Config {
            database: Some("sqlite:///var/dash.db".into()),
            ..Config::default()
        };
        assert_eq!(absolute.database_url(None, dir), "sqlite:///var/dash.db");
    }

    #[test]
    fn durations_are_decoded_or_refused() {
        let dir = std::env::temp_dir().join(format!("dash-config-d-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("dash.yaml"), "linger: 250ms\nretry_for: 1h\n").unwrap();
        let c = load(&dir, None).unwrap();
        assert_eq!(c.linger, Some(Duration::from_millis(250)));
        assert_eq!(c.retry_for, Some(Duration::from_secs(3600)));
        for (text, key, value) in [
            ("retry_for: 1 hour\n", "retry_for", "1 hour"),
            ("linger: 5x\n", "linger", "5x"),
            ("linger: -5s\n", "linger", "-5s"),
        ] {
            std::fs::write(dir.join("dash.yaml"), text).unwrap();
            let e = load(&dir, None).unwrap_err().to_string();
            assert!(e.contains("dash.yaml"), "{e}");
            assert!(e.contains(&format!("`{key}: {value}`")), "{e}");
        }
        std::fs::write(dir.join("dash.yaml"), "shutdown_timeout: 30 s\n").unwrap();
        let e = load(&dir, None).unwrap_err().to_string();
        assert!(e.contains("`shutdown_timeout: 30 s` is not valid"), "{e}");
        std::fs::write(dir.join("dash.yaml"), "lingr: 5s\n").unwrap();
        let e = load(&dir, None).unwrap_err().to_string();
        assert!(e.contains("dash.yaml") && e.contains("lingr"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
