//! Helpers of batch functions: the input record or a nested field built
//! from the input columns, output fields the compiled code does not
//! store itself (strings, nested records, json, lists), row failures
//! and the end of each row.

use super::{Ctx, RowError, ctx, val};
use crate::columns::Column;
use crate::interp::RowErrorCode;
use crate::source::{FileId, Span};
use crate::value::Value;

/// The input record at `row`.
pub unsafe extern "C" fn dash_row_value(cx: *mut Ctx, row: i64) -> *const Value {
    // SAFETY: module invariants; `input` is the batch being run.
    let cx = unsafe { ctx(cx) };
    let v = match unsafe { cx.input.as_ref() } {
        Some(input) if (row as usize) < input.len => input.get(row as usize),
        _ => Value::Null,
    };
    cx.alloc(v)
}

/// The input record's field at the site's path, at `row`.
pub unsafe extern "C" fn dash_in_field(cx: *mut Ctx, row: i64, site: i64) -> *const Value {
    // SAFETY: module invariants.
    let cx = unsafe { ctx(cx) };
    let path = cx.sites.get(site as usize).map_or(&[][..], |s| &s.path[..]);
    let v = match unsafe { cx.input.as_ref() } {
        Some(input) if (row as usize) < input.len => input.get_path(row as usize, path),
        _ => Value::Null,
    };
    cx.alloc(v)
}

/// The output string column `slot` at `row` (empty for null).
pub unsafe extern "C" fn dash_out_str(cx: *mut Ctx, row: i64, slot: i64, ptr: *const u8, len: i64) {
    // SAFETY: module invariants; `output` is the batch being written and
    // no other reference to it is live during the call.
    let cx = unsafe { ctx(cx) };
    let Some(output) = (unsafe { cx.output.as_mut() }) else {
        return;
    };
    let row = row as usize;
    if let Some(Column::Str(column)) = output.columns.get_mut(slot as usize)
        && row < column.len()
    {
        // SAFETY: a native string (see strings.rs); null is "".
        column.set(row, unsafe { super::strings::text(ptr, len) });
    }
}

/// The output record's field `field` at `row`, from a value.
pub unsafe extern "C" fn dash_out_field(cx: *mut Ctx, row: i64, field: i64, p: *const Value) {
    // SAFETY: module invariants.
    let (cx, v) = unsafe { (ctx(cx), val(p)) };
    if let Some(output) = unsafe { cx.output.as_mut() }
        && (row as usize) < output.len
    {
        output.set_field(row as usize, field as usize, v);
    }
}

/// The whole output record at `row`, from a value.
pub unsafe extern "C" fn dash_out_value(cx: *mut Ctx, row: i64, p: *const Value) {
    // SAFETY: module invariants.
    let (cx, v) = unsafe { (ctx(cx), val(p)) };
    if let Some(output) = unsafe { cx.output.as_mut() }
        && (row as usize) < output.len
    {
        output.set(row as usize, v);
    }
}

/// `row` failed: keep its error.
pub unsafe extern "C" fn dash_row_failed(cx: *mut Ctx, row: i64) {
    // SAFETY: module invariants.
    let cx = unsafe { ctx(cx) };
    let failure = cx.failure.take().unwrap_or(RowError {
        code: RowErrorCode::Fail,
        message: "the compiled code failed without an error".into(),
        file: FileId(0),
        span: Span::default(),
    });
    cx.failures.push((row as usize, failure));
}

/// A row that left something (`Ctx::dirty`) ended: drop what it built,
/// forget its state.
pub unsafe extern "C" fn dash_row_end(cx: *mut Ctx) {
    // SAFETY: module invariants.
    let cx = unsafe { ctx(cx) };
    if !cx.arena.is_empty() {
        cx.arena.clear();
    }
    // No string of an ended row is referenced any more.
    if cx.bytes.is_filling() {
        cx.bytes.clear();
    }
    cx.pending = None;
    cx.nested = None;
    cx.skipped = false;
    cx.dirty = 0;
}
