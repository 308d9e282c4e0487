//! Helpers of batch functions: the input record or a nested field built
//! from the input columns, output fields the compiled code does not
//! store itself (strings, nested records, json, lists), row failures
//! and the end of each row.

use super::{Ctx, RowError, ctx, val};
use dash_check::value::Value;
use dash_ir::columns::Column;
use dash_ir::interp::RowErrorCode;
use dash_syntax::source::{FileId, Span};

/// The input record at `row`.
///
/// # Safety
/// `cx` is the live context of a batch function's call (**ctx**), whose
/// `input` is null or the batch being read (**batch tables**).
pub unsafe extern "C" fn dash_row_value(cx: *mut Ctx, row: i64) -> *const Value {
    // SAFETY: **ctx**: `cx` is this call's live context.
    let cx = unsafe { ctx(cx) };
    // SAFETY: **batch tables**: `input` is null or the batch being read,
    // which `Jit::run_columns` borrows for the whole call.
    let v = match unsafe { cx.input.as_ref() } {
        Some(input) if (row as usize) < input.len => input.get(row as usize),
        _ => Value::Null,
    };
    cx.alloc(v)
}

/// The input record's field at the site's path, at `row`.
///
/// # Safety
/// `cx` is the live context of a batch function's call (**ctx**), whose
/// `input` is null or the batch being read (**batch tables**).
pub unsafe extern "C" fn dash_in_field(cx: *mut Ctx, row: i64, site: i64) -> *const Value {
    // SAFETY: **ctx**: `cx` is this call's live context.
    let cx = unsafe { ctx(cx) };
    let path = cx.sites.get(site as usize).map_or(&[][..], |s| &s.path[..]);
    // SAFETY: **batch tables**: `input` is null or the batch being read,
    // which `Jit::run_columns` borrows for the whole call.
    let v = match unsafe { cx.input.as_ref() } {
        Some(input) if (row as usize) < input.len => input.get_path(row as usize, path),
        _ => Value::Null,
    };
    cx.alloc(v)
}

/// The output string column `slot` at `row` (empty for null).
///
/// # Safety
/// `cx` is the live context of a batch function's call (**ctx**), whose
/// `output` is null or the batch being written (**batch tables**); `ptr`
/// and `len` are a native string (**native strings**).
pub unsafe extern "C" fn dash_out_str(cx: *mut Ctx, row: i64, slot: i64, ptr: *const u8, len: i64) {
    // SAFETY: **ctx**: `cx` is this call's live context.
    let cx = unsafe { ctx(cx) };
    // SAFETY: **batch tables**: `output` is null or the batch being
    // written; helpers reach it only through `Ctx::output` and the
    // compiled code never writes its string columns, so this is the only
    // reference to it during the call.
    let Some(output) = (unsafe { cx.output.as_mut() }) else {
        return;
    };
    let row = row as usize;
    if let Some(Column::Str(column)) = output.columns.get_mut(slot as usize)
        && row < column.len()
    {
        // SAFETY: **native strings**: `ptr` and `len` are a whole UTF-8
        // `str` alive until the row ends (null is "").
        column.set(row, unsafe { super::strings::text(ptr, len) });
    }
}

/// The output record's field `field` at `row`, from a value.
///
/// # Safety
/// `cx` is the live context of a batch function's call (**ctx**), whose
/// `output` is null or the batch being written (**batch tables**); `p`
/// points to a live value (**value pointers**).
pub unsafe extern "C" fn dash_out_field(cx: *mut Ctx, row: i64, field: i64, p: *const Value) {
    // SAFETY: **ctx**: `cx` is this call's live context; **value
    // pointers**: `p` lives until the row ends.
    let (cx, v) = unsafe { (ctx(cx), val(p)) };
    // SAFETY: **batch tables**: `output` is null or the batch being
    // written, reached by helpers only through `Ctx::output`, so this is
    // the only reference to it; the compiled code's raw pointers into
    // its i64/f64/byte columns and null bits are not used while a helper
    // runs and stay valid (elements are written in place, no column is
    // resized).
    if let Some(output) = unsafe { cx.output.as_mut() }
        && (row as usize) < output.len
    {
        output.set_field(row as usize, field as usize, v);
    }
}

/// The whole output record at `row`, from a value.
///
/// # Safety
/// `cx` is the live context of a batch function's call (**ctx**), whose
/// `output` is null or the batch being written (**batch tables**); `p`
/// points to a live value (**value pointers**).
pub unsafe extern "C" fn dash_out_value(cx: *mut Ctx, row: i64, p: *const Value) {
    // SAFETY: **ctx**: `cx` is this call's live context; **value
    // pointers**: `p` lives until the row ends.
    let (cx, v) = unsafe { (ctx(cx), val(p)) };
    // SAFETY: **batch tables**: `output` is null or the batch being
    // written, reached by helpers only through `Ctx::output`, so this is
    // the only reference to it; the compiled code's raw pointers into
    // its i64/f64/byte columns and null bits are not used while a helper
    // runs and stay valid (elements are written in place, no column is
    // resized).
    if let Some(output) = unsafe { cx.output.as_mut() }
        && (row as usize) < output.len
    {
        output.set(row as usize, v);
    }
}

/// `row` failed: keep its error.
///
/// # Safety
/// `cx` is the live context of this call (**ctx**).
pub unsafe extern "C" fn dash_row_failed(cx: *mut Ctx, row: i64) {
    // SAFETY: **ctx**: `cx` is this call's live context.
    let cx = unsafe { ctx(cx) };
    // Every failure path sets `failure` before the row ends failed; this
    // is only a guard against a compiler bug, and still a failure.
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
///
/// # Safety
/// `cx` is the live context of this call (**ctx**), and no pointer into
/// its arena or scratch bytes is used after this call (the row ended).
pub unsafe extern "C" fn dash_row_end(cx: *mut Ctx) {
    // SAFETY: **ctx**: `cx` is this call's live context.
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
