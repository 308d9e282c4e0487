//! The columnar batch layout: a batch of records of one type held as one
//! column per scalar leaf of the flattened record ([`Layout`]) plus one
//! byte column per null bit. The JIT's batch functions read their input
//! and write their output in this layout; [`Columns::from_values`] and
//! [`Columns::get`] convert from and to record [`Value`]s.
//!
//! Null bits: a leaf is null in a row when the byte of its slot's null
//! bit is non-zero. A null record sets its own bit and the bits of every
//! nullable field under it, so a leaf's one bit is always enough.

use std::sync::Arc;

use crate::layout::{Layout, Slot};
use dash_check::value::Value;
use dash_check::{Record, RecordId, Ty};

/// A record type's layout and the tree of its fields, shared by every
/// batch of that type.
#[derive(Debug)]
pub struct Shape {
    pub record: RecordId,
    pub layout: Layout,
    /// The root record's fields.
    pub fields: Vec<Node>,
}

/// One field of a record in the shape.
#[derive(Debug)]
pub struct Node {
    /// The field's own null bit, when it is nullable.
    pub bit: Option<u32>,
    pub kind: NodeKind,
}

#[derive(Debug)]
pub enum NodeKind {
    /// A leaf: the index of its slot.
    Leaf(u32),
    Record(RecordId, Vec<Node>),
}

impl Shape {
    pub fn new(records: &[Record], record: RecordId) -> Arc<Shape> {
        fn walk(records: &[Record], id: RecordId, slots: &mut u32, bits: &mut u32) -> Vec<Node> {
            let Some(decl) = records.get(id.0 as usize) else {
                return Vec::new();
            };
            decl.fields
                .iter()
                .map(|f| {
                    // The same order as `Layout::add`: a field's bit, then
                    // its slots (or its fields').
                    let bit = f.ty.is_nullable().then(|| {
                        *bits += 1;
                        *bits - 1
                    });
                    let kind = match f.ty.strip() {
                        Ty::Record(inner) => {
                            NodeKind::Record(*inner, walk(records, *inner, slots, bits))
                        }
                        _ => {
                            *slots += 1;
                            NodeKind::Leaf(*slots - 1)
                        }
                    };
                    Node { bit, kind }
                })
                .collect()
        }
        let (mut slots, mut bits) = (0, 0);
        let fields = walk(records, record, &mut slots, &mut bits);
        let layout = Layout::of(records, record);
        debug_assert_eq!(slots as usize, layout.slots.len());
        debug_assert_eq!(bits as usize, layout.null_bits.len());
        Arc::new(Shape {
            record,
            layout,
            fields,
        })
    }

    /// The leaf slot at field index path `path`, if it is one.
    pub fn slot_at(&self, path: &[u32]) -> Option<(u32, &Slot)> {
        let mut nodes = &self.fields;
        for (depth, i) in path.iter().enumerate() {
            match &nodes.get(*i as usize)?.kind {
                NodeKind::Leaf(slot) if depth + 1 == path.len() => {
                    return Some((*slot, self.layout.slots.get(*slot as usize)?));
                }
                NodeKind::Record(_, inner) => nodes = inner,
                NodeKind::Leaf(_) => return None,
            }
        }
        None
    }
}

/// How a leaf of type `ty` is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// int, timestamp and duration: i64.
    Int,
    Float,
    /// One byte, 0 or 1.
    Bool,
    Str,
    /// json and lists: whole values.
    Value,
}

impl ColumnKind {
    pub fn of(ty: &Ty) -> ColumnKind {
        match ty.strip() {
            Ty::Int | Ty::Timestamp | Ty::Duration => ColumnKind::Int,
            Ty::Float => ColumnKind::Float,
            Ty::Bool => ColumnKind::Bool,
            Ty::String => ColumnKind::Str,
            _ => ColumnKind::Value,
        }
    }
}

/// Strings of a column: their bytes back to back, and where each row's is.
/// Only whole `&str`s are stored, so every span is in bounds and valid
/// UTF-8 (what compiled code relies on).
#[derive(Clone, Debug, Default)]
pub struct StrColumn {
    bytes: Vec<u8>,
    /// `[offset, len]` into `bytes`, per row.
    spans: Vec<[u64; 2]>,
}

impl StrColumn {
    /// `rows` empty strings.
    pub fn new(rows: usize) -> StrColumn {
        StrColumn {
            bytes: Vec::new(),
            spans: vec![[0, 0]; rows],
        }
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    pub fn get(&self, row: usize) -> &str {
        let [off, len] = self.spans[row];
        let bytes = &self.bytes[off as usize..(off + len) as usize];
        // Only whole `&str`s are ever pushed (see `set`).
        std::str::from_utf8(bytes).unwrap_or_default()
    }

    /// Set `row`'s string (the old one's bytes stay, unused).
    pub fn set(&mut self, row: usize, s: &str) {
        self.spans[row] = [self.bytes.len() as u64, s.len() as u64];
        self.bytes.extend_from_slice(s.as_bytes());
    }
}

#[derive(Clone, Debug)]
pub enum Column {
    Int(Vec<i64>),
    Float(Vec<f64>),
    Bool(Vec<u8>),
    Str(StrColumn),
    Value(Vec<Value>),
}

/// A batch of `len` records of one type, by columns.
#[derive(Clone, Debug)]
pub struct Columns {
    pub shape: Arc<Shape>,
    pub len: usize,
    /// One per slot of `shape.layout`.
    pub columns: Vec<Column>,
    /// One per null bit; a byte per row, non-zero when null.
    pub nulls: Vec<Vec<u8>>,
}

impl Columns {
    /// `len` rows of zeros, empty strings and nulls (`Value` leaves), no
    /// null bit set.
    pub fn new(shape: &Arc<Shape>, len: usize) -> Columns {
        let columns = shape
            .layout
            .slots
            .iter()
            .map(|slot| match ColumnKind::of(&slot.ty) {
                ColumnKind::Int => Column::Int(vec![0; len]),
                ColumnKind::Float => Column::Float(vec![0.0; len]),
                ColumnKind::Bool => Column::Bool(vec![0; len]),
                ColumnKind::Str => Column::Str(StrColumn::new(len)),
                ColumnKind::Value => Column::Value(vec![Value::Null; len]),
            })
            .collect();
        Columns {
            shape: shape.clone(),
            len,
            columns,
            nulls: vec![vec![0; len]; shape.layout.null_bits.len()],
        }
    }

    /// Records of `shape`'s type as columns.
    pub fn from_values(shape: &Arc<Shape>, records: &[Value]) -> Columns {
        let mut columns = Columns::new(shape, records.len());
        for (row, record) in records.iter().enumerate() {
            columns.set(row, record);
        }
        columns
    }

    /// Write record `value` at `row`.
    pub fn set(&mut self, row: usize, value: &Value) {
        let shape = self.shape.clone();
        let fields = match value {
            Value::Record(r) => &r.fields[..],
            _ => &[],
        };
        for (node, v) in shape.fields.iter().zip(fields) {
            self.set_node(row, node, v);
        }
    }

    /// Write `value` as the root record's field `field` at `row`.
    pub fn set_field(&mut self, row: usize, field: usize, value: &Value) {
        let shape = self.shape.clone();
        if let Some(node) = shape.fields.get(field) {
            self.set_node(row, node, value);
        }
    }

    fn set_node(&mut self, row: usize, node: &Node, value: &Value) {
        if value.is_null() {
            self.set_null(row, node);
            return;
        }
        match (&node.kind, value) {
            (NodeKind::Leaf(slot), _) => match (&mut self.columns[*slot as usize], value) {
                (Column::Int(c), Value::Int(i) | Value::Timestamp(i) | Value::Duration(i)) => {
                    c[row] = *i
                }
                (Column::Float(c), v) => c[row] = v.as_float().unwrap_or(f64::NAN),
                (Column::Bool(c), Value::Bool(b)) => c[row] = u8::from(*b),
                (Column::Str(c), Value::Str(s)) => c.set(row, s),
                (Column::Value(c), v) => c[row] = v.clone(),
                // A value of another type than its field's: never in a
                // checked program.
                _ => {}
            },
            (NodeKind::Record(_, inner), Value::Record(r)) => {
                for (node, v) in inner.iter().zip(&r.fields) {
                    self.set_node(row, node, v);
                }
            }
            (NodeKind::Record(..), _) => {}
        }
    }

    /// A null field: its own bit and the bits of every field under it.
    fn set_null(&mut self, row: usize, node: &Node) {
        if let Some(bit) = node.bit {
            self.nulls[bit as usize][row] = 1;
        }
        if let NodeKind::Record(_, inner) = &node.kind {
            for node in inner {
                self.set_null(row, node);
            }
        }
    }

    /// The record at `row`.
    pub fn get(&self, row: usize) -> Value {
        let fields = self
            .shape
            .fields
            .iter()
            .map(|n| self.get_node(row, n))
            .collect();
        Value::record(self.shape.record, fields)
    }

    /// The value at field index path `path` of the record at `row` (null
    /// when a record on the path is null).
    pub fn get_path(&self, row: usize, path: &[u32]) -> Value {
        let mut nodes = &self.shape.fields;
        for (depth, i) in path.iter().enumerate() {
            let Some(node) = nodes.get(*i as usize) else {
                return Value::Null;
            };
            if depth + 1 == path.len() || self.is_null(row, node) {
                return self.get_node(row, node);
            }
            match &node.kind {
                NodeKind::Record(_, inner) => nodes = inner,
                NodeKind::Leaf(_) => return Value::Null,
            }
        }
        self.get(row)
    }

    fn is_null(&self, row: usize, node: &Node) -> bool {
        node.bit.is_some_and(|b| self.nulls[b as usize][row] != 0)
    }

    fn get_node(&self, row: usize, node: &Node) -> Value {
        if self.is_null(row, node) {
            return Value::Null;
        }
        match &node.kind {
            NodeKind::Leaf(slot) => {
                let ty = &self.shape.layout.slots[*slot as usize].ty;
                match (&self.columns[*slot as usize], ty) {
                    (Column::Int(c), Ty::Timestamp) => Value::Timestamp(c[row]),
                    (Column::Int(c), Ty::Duration) => Value::Duration(c[row]),
                    (Column::Int(c), _) => Value::Int(c[row]),
                    (Column::Float(c), _) => Value::Float(c[row]),
                    (Column::Bool(c), _) => Value::Bool(c[row] != 0),
                    (Column::Str(c), _) => Value::str(c.get(row)),
                    (Column::Value(c), _) => c[row].clone(),
                }
            }
            NodeKind::Record(id, inner) => {
                Value::record(*id, inner.iter().map(|n| self.get_node(row, n)).collect())
            }
        }
    }

    /// Whether every column and null bit has `len` rows and matches its
    /// slot's kind: what compiled code relies on (strings are valid by
    /// construction, see [`StrColumn`]).
    pub fn is_consistent(&self) -> bool {
        let layout = &self.shape.layout;
        self.columns.len() == layout.slots.len()
            && self.nulls.len() == layout.null_bits.len()
            && self.nulls.iter().all(|n| n.len() == self.len)
            && self.columns.iter().zip(&layout.slots).all(|(c, slot)| {
                match (c, ColumnKind::of(&slot.ty)) {
                    (Column::Int(v), ColumnKind::Int) => v.len() == self.len,
                    (Column::Float(v), ColumnKind::Float) => v.len() == self.len,
                    (Column::Bool(v), ColumnKind::Bool) => v.len() == self.len,
                    (Column::Str(s), ColumnKind::Str) => s.len() == self.len,
                    (Column::Value(v), ColumnKind::Value) => v.len() == self.len,
                    _ => false,
                }
            })
    }

    /// The table compiled batch functions read: for each slot its data
    /// (`i64`s, `f64`s, bytes, `[offset, len]` spans or `Value`s) and its
    /// string bytes (null for other columns), then each null bit's bytes.
    pub fn raw(&self) -> Vec<*const u8> {
        let mut table = Vec::with_capacity(self.columns.len() * 2 + self.nulls.len());
        for c in &self.columns {
            let (data, aux): (*const u8, *const u8) = match c {
                Column::Int(v) => (v.as_ptr().cast(), std::ptr::null()),
                Column::Float(v) => (v.as_ptr().cast(), std::ptr::null()),
                Column::Bool(v) => (v.as_ptr(), std::ptr::null()),
                Column::Str(s) => (s.spans.as_ptr().cast(), s.bytes.as_ptr()),
                Column::Value(v) => (v.as_ptr().cast(), std::ptr::null()),
            };
            table.push(data);
            table.push(aux);
        }
        table.extend(self.nulls.iter().map(|n| n.as_ptr()));
        table
    }

    /// The same table for a batch compiled code writes: its i64, f64 and
    /// byte columns and null bits, by pointers made for writing.
    pub fn raw_mut(&mut self) -> Vec<*mut u8> {
        let mut table = Vec::with_capacity(self.columns.len() * 2 + self.nulls.len());
        for c in &mut self.columns {
            let (data, aux): (*mut u8, *mut u8) = match c {
                Column::Int(v) => (v.as_mut_ptr().cast(), std::ptr::null_mut()),
                Column::Float(v) => (v.as_mut_ptr().cast(), std::ptr::null_mut()),
                Column::Bool(v) => (v.as_mut_ptr(), std::ptr::null_mut()),
                // Written by helpers only, never through the table.
                Column::Str(_) | Column::Value(_) => (std::ptr::null_mut(), std::ptr::null_mut()),
            };
            table.push(data);
            table.push(aux);
        }
        table.extend(self.nulls.iter_mut().map(|n| n.as_mut_ptr()));
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dash_check::analyze;
    use dash_syntax::SourceFile;

    #[test]
    fn records_round_trip_through_columns() {
        let text = "type P {\n  x: float\n  y: float?\n}\n\
                    type R {\n  s: string\n  p: P?\n  q: P\n  n: int?\n  t: timestamp\n  j: json?\n  b: bool\n}\n";
        let analysis = analyze(vec![SourceFile::new("c.dash", text)]);
        assert_eq!(analysis.error_count(), 0, "{:?}", analysis.diagnostics);
        let records = &analysis.program.records;
        let id = |name: &str| RecordId(records.iter().position(|r| r.name == name).unwrap() as u32);
        let (p, r) = (id("P"), id("R"));
        let shape = Shape::new(records, r);
        let point = |x: f64, y: Value| Value::record(p, vec![Value::Float(x), y]);
        let rows = vec![
            Value::record(
                r,
                vec![
                    Value::str("héllo"),
                    point(1.5, Value::Null),
                    point(-0.0, Value::Float(f64::NAN)),
                    Value::Int(i64::MIN),
                    Value::Timestamp(7),
                    Value::Json(Arc::new(serde_json::json!({"a": [1]}))),
                    Value::Bool(true),
                ],
            ),
            Value::record(
                r,
                vec![
                    Value::str(""),
                    Value::Null,
                    point(2.0, Value::Float(3.0)),
                    Value::Null,
                    Value::Timestamp(-1),
                    Value::Null,
                    Value::Bool(false),
                ],
            ),
        ];
        let columns = Columns::from_values(&shape, &rows);
        for (i, row) in rows.iter().enumerate() {
            let back = columns.get(i);
            assert_eq!(format!("{back:?}"), format!("{row:?}"));
        }
        assert!(columns.get_path(1, &[1, 0]).is_null());
        assert!(matches!(columns.get_path(0, &[2, 0]), Value::Float(f) if f == 0.0));
        assert_eq!(shape.slot_at(&[2, 1]).map(|(i, _)| i), Some(4));
        assert!(shape.slot_at(&[1]).is_none());
    }
}
