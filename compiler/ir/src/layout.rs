//! The fixed layout of a record type: every scalar leaf of the (nested)
//! record flattened to a slot with a known index, and a null bit for every
//! nullable field (nested records included). The interpreter reads records
//! by index path; the batch layout of the runtime and the JIT use these
//! slots as columns.

use dash_check::{Record, RecordId, Ty};

/// One column of a flattened record.
#[derive(Clone, Debug, PartialEq)]
pub struct Slot {
    /// `loc.lat`
    pub path: String,
    /// Index path through nested records.
    pub indices: Vec<u32>,
    /// The leaf type (a scalar, json or a list) without `?`.
    pub ty: Ty,
    /// Index of its null bit, if this field or a record on its path is nullable.
    pub null_bit: Option<u32>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    pub slots: Vec<Slot>,
    /// Null bits: the nullable fields and nested records, by path.
    pub null_bits: Vec<String>,
}

/// How many slots the flattened layout of `record` has, without building
/// it (a record holding two of another, nested 40 deep, has 2^40).
pub fn slot_count(records: &[Record], record: RecordId) -> u64 {
    fn count(records: &[Record], id: RecordId, memo: &mut Vec<Option<u64>>, depth: usize) -> u64 {
        if let Some(Some(n)) = memo.get(id.0 as usize) {
            return *n;
        }
        let Some(decl) = records.get(id.0 as usize).filter(|_| depth < 64) else {
            return 1;
        };
        let n = decl.fields.iter().fold(0u64, |acc, f| {
            acc.saturating_add(match f.ty.strip() {
                Ty::Record(inner) => count(records, *inner, memo, depth + 1),
                _ => 1,
            })
        });
        if let Some(slot) = memo.get_mut(id.0 as usize) {
            *slot = Some(n);
        }
        n
    }
    let mut memo = vec![None; records.len()];
    count(records, record, &mut memo, 0)
}

impl Layout {
    pub fn of(records: &[Record], record: RecordId) -> Layout {
        let mut layout = Layout::default();
        layout.add(records, record, "", &[], None);
        layout
    }

    fn add(
        &mut self,
        records: &[Record],
        record: RecordId,
        prefix: &str,
        indices: &[u32],
        bit: Option<u32>,
    ) {
        let Some(decl) = records.get(record.0 as usize) else {
            return;
        };
        for (i, field) in decl.fields.iter().enumerate() {
            let path = format!("{prefix}{}", field.name);
            let mut idx = indices.to_vec();
            idx.push(i as u32);
            let own_bit = if field.ty.is_nullable() {
                self.null_bits.push(path.clone());
                Some(self.null_bits.len() as u32 - 1)
            } else {
                bit
            };
            match field.ty.strip() {
                Ty::Record(inner) => self.add(records, *inner, &format!("{path}."), &idx, own_bit),
                leaf => self.slots.push(Slot {
                    path,
                    indices: idx,
                    ty: leaf.clone(),
                    null_bit: own_bit,
                }),
            }
        }
    }
}
