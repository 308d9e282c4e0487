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
//! env:
//!   prod:
//!     database: postgres://…
//! ```

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::store::CopyFormat;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub database: Option<String>,
    pub batch: Option<usize>,
    pub linger: Option<String>,
    pub dlq: Option<String>,
    pub retry_for: Option<String>,
    #[serde(default)]
    pub copy_format: CopyFormat,
    #[serde(default)]
    pub env: HashMap<String, Overrides>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    pub database: Option<String>,
    pub batch: Option<usize>,
    pub linger: Option<String>,
    pub dlq: Option<String>,
    pub retry_for: Option<String>,
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
    let mut config: Config = serde_norway::from_str(&text).map_err(|e| ConfigError::Invalid {
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
    Ok(config)
}

impl Config {
    /// The project database: `--db URL`, else `database:`, else the
    /// embedded SQLite file `dash.db` beside the pipeline files.
    pub fn database_url(&self, db: Option<&str>, dir: &Path) -> String {
        db.map(str::to_string)
            .or_else(|| self.database.clone())
            .unwrap_or_else(|| format!("sqlite://{}", dir.join("dash.db").display()))
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

/// A database URL safe to print: the password replaced by `***`.
pub fn mask_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let after = &url[scheme_end + 3..];
    let Some(at) = after.find('@') else {
        return url.to_string();
    };
    let credentials = &after[..at];
    match credentials.find(':') {
        Some(colon) => format!(
            "{}://{}:***{}",
            &url[..scheme_end],
            &credentials[..colon],
            &after[at..]
        ),
        None => url.to_string(),
    }
}

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
}
