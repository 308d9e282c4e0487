//! Rollups on PostgreSQL without TimescaleDB: a table per rollup,
//! maintained **in the batch's own transaction** from the rows the batch
//! actually inserted (never the "already there" ones), so it always equals
//! its GROUP BY over the sink table.
//!
//! - Made once, with `CREATE TABLE … AS SELECT … GROUP BY …` over the
//!   sink table (so the column types are PostgreSQL's own for each
//!   aggregate, and rows already there are counted), then a primary key on
//!   `bucket` and the group columns.
//! - `bucket` is `date_bin(every, time, 2000-01-03)`: TimescaleDB's
//!   `time_bucket` for the same fixed widths.
//! - `avg` is kept as a sum and a count (`dash_C_sum`, `dash_C_count`)
//!   with the average a stored generated column; `first`/`last` keep the
//!   time of their value (`dash_C_at`).
//! - A batch goes through the staging table and one statement:
//!   `WITH ins AS (INSERT … RETURNING *), r0 AS (INSERT INTO rollup …
//!   SELECT … FROM ins GROUP BY … ON CONFLICT … DO UPDATE …) …`.

use dash_check::plan::{Aggregate, RollupSpec};

use super::quote;

/// The rollups of one sink table.
pub struct Rollups {
    pub table: String,
    time: String,
    group_by: Vec<String>,
    rollups: Vec<RollupSpec>,
}

const ORIGIN: &str = "TIMESTAMPTZ '2000-01-03 00:00:00+00'";

impl Rollups {
    pub fn new(table: &str, time: &str, group_by: &[String], rollups: &[RollupSpec]) -> Self {
        Rollups {
            table: table.to_string(),
            time: time.to_string(),
            group_by: group_by.to_vec(),
            rollups: rollups.to_vec(),
        }
    }

    fn bucket(&self, r: &RollupSpec) -> String {
        format!(
            "date_bin({}, {}, {ORIGIN})",
            super::timescale::interval(r.every),
            quote(&self.time)
        )
    }

    /// The stored columns of `r` and the expression of each over `from`.
    fn columns(&self, r: &RollupSpec) -> Vec<(String, String)> {
        let time = quote(&self.time);
        let mut out = vec![("bucket".to_string(), self.bucket(r))];
        for g in &self.group_by {
            out.push((g.clone(), quote(g)));
        }
        for c in &r.columns {
            let f = c.field.as_deref().map(quote).unwrap_or_default();
            let hidden = |what: &str| format!("dash_{}_{what}", c.name);
            match c.aggregate {
                Aggregate::Count => out.push((c.name.clone(), "count(*)".into())),
                Aggregate::Sum => out.push((c.name.clone(), format!("sum({f})"))),
                Aggregate::Min => out.push((c.name.clone(), format!("min({f})"))),
                Aggregate::Max => out.push((c.name.clone(), format!("max({f})"))),
                Aggregate::Avg => {
                    out.push((hidden("sum"), format!("sum({f})::float8")));
                    out.push((hidden("count"), format!("count({f})")));
                }
                Aggregate::First => {
                    out.push((
                        c.name.clone(),
                        format!("(array_agg({f} ORDER BY {time} ASC))[1]"),
                    ));
                    out.push((hidden("at"), format!("min({time})")));
                }
                Aggregate::Last => {
                    out.push((
                        c.name.clone(),
                        format!("(array_agg({f} ORDER BY {time} DESC))[1]"),
                    ));
                    out.push((hidden("at"), format!("max({time})")));
                }
            }
        }
        out
    }

    /// `SELECT … FROM from GROUP BY …` of rollup `r`'s stored columns.
    fn select(&self, r: &RollupSpec, from: &str) -> String {
        let list: Vec<String> = self
            .columns(r)
            .iter()
            .map(|(name, expr)| format!("{expr} AS {}", quote(name)))
            .collect();
        let group: Vec<String> = (1..=1 + self.group_by.len())
            .map(|i| i.to_string())
            .collect();
        format!(
            "SELECT {} FROM {from} GROUP BY {}",
            list.join(", "),
            group.join(", ")
        )
    }

    fn key(&self) -> String {
        let mut key = vec!["bucket".to_string()];
        key.extend(self.group_by.iter().map(|g| quote(g)));
        key.join(", ")
    }

    /// The DDL that makes rollup `r` from the sink table as it is.
    pub fn create_sql(&self, r: &RollupSpec) -> String {
        let name = quote(&r.name);
        let mut sql = format!(
            "CREATE TABLE {name} AS {};\nALTER TABLE {name} ADD PRIMARY KEY ({});\n",
            self.select(r, &quote(&self.table)),
            self.key()
        );
        for c in &r.columns {
            if c.aggregate == Aggregate::Avg {
                sql.push_str(&format!(
                    "ALTER TABLE {name} ADD COLUMN {} DOUBLE PRECISION GENERATED ALWAYS AS \
                     ({} / NULLIF({}, 0)) STORED;\n",
                    quote(&c.name),
                    quote(&format!("dash_{}_sum", c.name)),
                    quote(&format!("dash_{}_count", c.name)),
                ));
            }
        }
        sql
    }

    pub fn specs(&self) -> &[RollupSpec] {
        &self.rollups
    }

    /// `ON CONFLICT (…) DO UPDATE SET …` merging a batch's group into the
    /// stored one (`r` is the stored row, `excluded` the batch's).
    fn merge(&self, r: &RollupSpec) -> String {
        let mut set = Vec::new();
        let sum = |c: &str| format!("{c} = COALESCE(r.{c} + excluded.{c}, r.{c}, excluded.{c})");
        for c in &r.columns {
            let col = quote(&c.name);
            let at = quote(&format!("dash_{}_at", c.name));
            match c.aggregate {
                Aggregate::Count => set.push(format!("{col} = r.{col} + excluded.{col}")),
                Aggregate::Sum => set.push(sum(&col)),
                Aggregate::Min => set.push(format!("{col} = LEAST(r.{col}, excluded.{col})")),
                Aggregate::Max => set.push(format!("{col} = GREATEST(r.{col}, excluded.{col})")),
                Aggregate::Avg => {
                    set.push(sum(&quote(&format!("dash_{}_sum", c.name))));
                    let n = quote(&format!("dash_{}_count", c.name));
                    set.push(format!("{n} = r.{n} + excluded.{n}"));
                }
                Aggregate::First => {
                    set.push(format!(
                        "{col} = CASE WHEN excluded.{at} < r.{at} THEN excluded.{col} ELSE r.{col} END"
                    ));
                    set.push(format!("{at} = LEAST(r.{at}, excluded.{at})"));
                }
                Aggregate::Last => {
                    set.push(format!(
                        "{col} = CASE WHEN excluded.{at} >= r.{at} THEN excluded.{col} ELSE r.{col} END"
                    ));
                    set.push(format!("{at} = GREATEST(r.{at}, excluded.{at})"));
                }
            }
        }
        format!(
            "ON CONFLICT ({}) DO UPDATE SET {}",
            self.key(),
            set.join(", ")
        )
    }

    /// One statement: insert `cols` from `stage` into the sink table
    /// (with `conflict`, e.g. `ON CONFLICT DO NOTHING`), fold the rows it
    /// inserted into every rollup, and return how many it inserted.
    pub fn insert_sql(&self, cols: &str, stage: &str, conflict: &str) -> String {
        let mut with = vec![format!(
            "ins AS (INSERT INTO {} ({cols}) SELECT {cols} FROM {stage} {conflict} RETURNING *)",
            quote(&self.table)
        )];
        for (i, r) in self.rollups.iter().enumerate() {
            let names: Vec<String> = self.columns(r).iter().map(|(n, _)| quote(n)).collect();
            with.push(format!(
                "r{i} AS (INSERT INTO {} AS r ({}) {} {})",
                quote(&r.name),
                names.join(", "),
                self.select(r, "ins"),
                self.merge(r)
            ));
        }
        format!("WITH {} SELECT count(*) FROM ins", with.join(",\n"))
    }
}
