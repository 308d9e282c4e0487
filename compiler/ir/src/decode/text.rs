//! The fast path of [`super::decode_line`]: JSON text decoded
//! straight into a record's [`Value`], with no JSON tree in between (no
//! map, key or string allocated for what the record does not keep).
//!
//! It follows the rules of `decode/mod.rs` exactly, and on anything it does
//! not accept it gives up (`None`): the caller then decodes the line
//! the slow way, which gives the error with its message and path. So a
//! line that decodes here decodes to the same value there (a
//! differential test checks it), and every failure is the slow path's.
//!
//! serde_json drives both paths the same way: numbers reach a visitor as
//! the `u64`, `i64` or `f64` a JSON tree would hold, and both stop at its
//! nesting limit.

use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value as Json};

use dash_check::value::Value;
use dash_check::{Program, RecordId, Ty};

use super::{duration_seconds, duration_text, epoch_seconds, int, timestamp_text};

/// Decode one JSON text (a JSONL line, its BOM already skipped) as a
/// record of type `ty`, or give up.
pub fn decode_text(text: &str, ty: RecordId, program: &Program) -> Option<Value> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Seed {
        ty: &Ty::Record(ty),
        program,
    }
    .deserialize(&mut de)
    .ok()?;
    de.end().ok()?;
    Some(value)
}

/// A value of type `ty`.
#[derive(Clone, Copy)]
struct Seed<'a> {
    ty: &'a Ty,
    program: &'a Program,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        match self.ty {
            // The JSON value as it is, as the slow path embeds it.
            Ty::Json => Ok(Value::Json(Arc::new(
                <Json as serde::Deserialize>::deserialize(d)?,
            ))),
            Ty::Nullable(inner) if **inner == Ty::Json => {
                let json = <Json as serde::Deserialize>::deserialize(d)?;
                Ok(if json.is_null() {
                    Value::Null
                } else {
                    Value::Json(Arc::new(json))
                })
            }
            Ty::Record(_) => d.deserialize_map(self),
            Ty::List(_) => d.deserialize_seq(self),
            _ => d.deserialize_any(self),
        }
    }
}

fn unsure<E: de::Error>() -> E {
    E::custom("")
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value of the declared type")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        match self.ty {
            Ty::Nullable(_) | Ty::Null => Ok(Value::Null),
            _ => Err(unsure()),
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        match self.inner() {
            Ty::Bool => Ok(Value::Bool(b)),
            _ => Err(unsure()),
        }
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        self.number(Number::from(n))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        self.number(Number::from(n))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
        self.number(Number::from_f64(n).ok_or_else(unsure)?)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        match self.inner() {
            Ty::String => Ok(Value::str(s)),
            Ty::Timestamp => timestamp_text(s)
                .map(Value::Timestamp)
                .map_err(|_| unsure()),
            Ty::Duration => duration_text(s).map(Value::Duration).map_err(|_| unsure()),
            _ => Err(unsure()),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let Ty::List(inner) = self.inner() else {
            return Err(unsure());
        };
        if **inner == Ty::Json {
            // A `null` element of `[json]` fails there: left to that path.
            return Err(unsure());
        }
        let item = Seed {
            ty: inner,
            program: self.program,
        };
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(value) = seq.next_element_seed(item)? {
            // A `null` element only for `[T?]` (the slow path's rule).
            if matches!(value, Value::Null) && !inner.is_nullable() {
                return Err(unsure());
            }
            items.push(value);
        }
        Ok(Value::list(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Ty::Record(id) = self.inner() else {
            return Err(unsure());
        };
        let Some(rec) = self.program.records.get(id.0 as usize) else {
            return Err(unsure());
        };
        let mut fields: Vec<Option<Value>> = vec![None; rec.fields.len()];
        while let Some(key) = map.next_key::<Key>()? {
            let Some(i) = rec.fields.iter().position(|f| f.json_key == key.0) else {
                map.next_value::<Skip>()?;
                continue;
            };
            let field = &rec.fields[i];
            let value = map.next_value_seed(Seed {
                ty: &field.ty,
                program: self.program,
            })?;
            // JSON `null` for a non-nullable field fails (a `json` field
            // keeps it as the json value `null`). A later key wins.
            fields[i] = Some(value);
        }
        let mut values = Vec::with_capacity(fields.len());
        for (field, value) in rec.fields.iter().zip(fields) {
            match value {
                Some(v) => values.push(v),
                None if field.ty.is_nullable() => values.push(Value::Null),
                None => return Err(unsure()),
            }
        }
        Ok(Value::record(*id, values))
    }
}

impl Seed<'_> {
    /// The type without its `?` (a value that is not null decodes as it).
    fn inner(&self) -> &Ty {
        match self.ty {
            Ty::Nullable(inner) => inner,
            ty => ty,
        }
    }

    fn number<E: de::Error>(self, n: Number) -> Result<Value, E> {
        match self.inner() {
            Ty::Int => int(&n).map(Value::Int).map_err(|_| unsure()),
            Ty::Float => n.as_f64().map(Value::Float).ok_or_else(unsure),
            Ty::Timestamp => epoch_seconds(&n)
                .map(Value::Timestamp)
                .map_err(|_| unsure()),
            Ty::Duration => duration_seconds(&n)
                .map(Value::Duration)
                .map_err(|_| unsure()),
            _ => Err(unsure()),
        }
    }
}

/// A value no field keeps, read as a JSON tree would read it (so what
/// fails there fails here: serde_json's own skipping lets `1e400` by)
/// but kept nowhere.
struct Skip;

impl<'de> serde::Deserialize<'de> for Skip {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Skip)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_key::<Key>()?.is_some() {
            map.next_value::<Skip>()?;
        }
        Ok(Skip)
    }
}

/// An object's key: borrowed from the text when it has no escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(s.to_string())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dash_check::{GlobalKind, analyze};
    use dash_syntax::SourceFile;

    const SOURCE: &str = r#"
type Loc {
  lat: float
  lon: float
}

type Event {
  id: int
  name: string @json("Name")
  ts: timestamp
  took: duration?
  score: float?
  ok: bool?
  loc: Loc
  home: Loc?
  tags: [string]
  counts: [int?]?
  extra: json
  opt: json?
  docs: [json]?
  dotted: int? @json("a.b")
}
"#;

    /// Values of every JSON kind, good and bad for each field.
    const PIECES: &[&str] = &[
        "7",
        "-3",
        "0",
        "-0",
        "3.0",
        "3.5",
        "1e3",
        "1e400",
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551616",
        "9007199254740993.0",
        "1767225600.5",
        "-62167219201",
        "true",
        "false",
        "null",
        "\"ksea\"",
        "\"\"",
        "\"2026-01-01T00:00:00Z\"",
        "\"2026-01-01T00:00:00.1234567+02:00\"",
        "\"not a time\"",
        "\"1h30m\"",
        "\"-5m\"",
        "\"1m1h\"",
        "\"\\u00e9t\\u00e9\"",
        "[]",
        "[\"a\", \"b\"]",
        "[1, null, 3]",
        "[null]",
        "[\"a\", 1]",
        "{}",
        "{\"lat\": 1.5, \"lon\": -2}",
        "{\"lat\": 1}",
        "{\"lat\": null, \"lon\": 2}",
        "{\"k\": [1, {\"z\": null}]}",
        "[{\"lat\": 1, \"lon\": 2}]",
    ];
    const KEYS: &[&str] = &[
        "id", "Name", "name", "ts", "took", "score", "ok", "loc", "home", "tags", "counts",
        "extra", "opt", "docs", "a.b", "unknown", "\\u0069d",
    ];

    fn program() -> (Program, RecordId) {
        let analysis = analyze(vec![SourceFile::new("t.dash", SOURCE)]);
        assert_eq!(analysis.error_count(), 0, "{:#?}", analysis.diagnostics);
        let id = match analysis.program.globals.get("Event").map(|g| g.kind) {
            Some(GlobalKind::Type(id)) => id,
            other => panic!("no type Event: {other:?}"),
        };
        (analysis.program, id)
    }

    fn slow(line: &str, id: RecordId, program: &Program) -> Result<Value, String> {
        let json: Json = serde_json::from_str(line).map_err(|e| e.to_string())?;
        crate::decode::decode_record(&json, id, program).map_err(|e| e.to_string())
    }

    /// Every line the fast path decodes, the JSON-tree path decodes to
    /// the same value; and most good lines take the fast path.
    #[test]
    fn the_fast_path_agrees_with_the_json_tree() {
        let (program, id) = program();
        let base = [
            ("id", "7"),
            ("Name", "\"ksea\""),
            ("ts", "\"2026-01-01T00:00:00Z\""),
            ("loc", "{\"lat\": 47.5, \"lon\": -122.3}"),
            ("tags", "[\"a\"]"),
            ("extra", "{\"k\": 1}"),
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut fast_hits, mut slow_ok) = (0, 0);
        for case in 0..20_000 {
            let mut pairs: Vec<(String, String)> = base
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            for _ in 0..(case % 4) {
                let key = KEYS[next(KEYS.len())].to_string();
                let value = PIECES[next(PIECES.len())].to_string();
                match next(3) {
                    0 => pairs.push((key, value)), // maybe a duplicate key
                    1 => pairs.retain(|(k, _)| *k != key),
                    _ => {
                        let at = next(pairs.len().max(1));
                        if let Some(pair) = pairs.get_mut(at) {
                            pair.1 = value;
                        }
                    }
                }
            }
            let body: Vec<String> = pairs.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
            let line = format!("{{{}}}", body.join(", "));
            let slow = slow(&line, id, &program);
            if slow.is_ok() {
                slow_ok += 1;
            }
            if let Some(fast) = decode_text(&line, id, &program) {
                fast_hits += 1;
                match &slow {
                    Ok(v) => assert_eq!(format!("{fast:?}"), format!("{v:?}"), "{line}"),
                    Err(e) => panic!("{line}: the fast path decoded what fails: {e}"),
                }
            }
        }
        assert!(slow_ok > 2_000, "only {slow_ok} good lines");
        assert!(
            fast_hits * 10 >= slow_ok * 9,
            "the fast path took {fast_hits} of {slow_ok} good lines"
        );
    }

    #[test]
    fn text_that_is_not_one_object_is_left_to_the_slow_path() {
        let (program, id) = program();
        for line in ["", "[]", "7", "{\"id\": 7} x", "{\"id\": 7", "nan"] {
            assert!(decode_text(line, id, &program).is_none(), "{line}");
        }
    }
}
