//! What compiled code calls: `extern "C"` helpers for everything that is
//! not inline arithmetic (boxing scalars into `Value`s, fields, records,
//! lists, strings, built-ins, calls of other transforms), the per-call
//! [`Ctx`] they work in, and the [`Site`] table of static facts per
//! instruction (constants, field paths, error codes and spans).
//!
//! Invariants (see docs/architecture.md, "JIT"):
//! - compiled code reads memory only through the `args` array it was
//!   given (one `*const Value` per parameter) and the pointers helpers
//!   return; it writes only its `out` slot and its own stack slots;
//! - every `*const Value` a helper returns points into `Ctx::arena` or the
//!   site table, both alive for the whole call;
//! - no helper unwinds: each body runs under `catch_unwind` when it calls
//!   code that could panic, and a panic becomes a row failure.

use std::panic::{AssertUnwindSafe, catch_unwind};

mod batch;
mod strings;

pub use batch::*;
pub use strings::*;

use super::arena::{Arena, Bytes};
use crate::check::RecordId;
use crate::columns::Columns;
use crate::interp::{RowError, RowErrorCode};
use crate::ir::CmpOp;
use crate::source::{FileId, Span};
use crate::stdlib::{Builtin, EvalContext};
use crate::value::Value;

/// Static facts about one instruction or terminator, looked up by index.
#[derive(Debug)]
pub struct Site {
    pub file: FileId,
    pub span: Span,
    /// The failure this site reports when no helper left a message.
    pub code: RowErrorCode,
    pub message: String,
    /// A constant (`Op::Const` of a non-scalar).
    pub value: Value,
    /// A field path (`Op::Field`).
    pub path: Vec<u32>,
    pub builtin: Option<&'static Builtin>,
}

impl Site {
    pub fn new(file: FileId, span: Span) -> Site {
        Site {
            file,
            span,
            code: RowErrorCode::Function,
            message: String::new(),
            value: Value::Null,
            path: Vec::new(),
            builtin: None,
        }
    }
}

/// A compiled function: `(ctx, args, out) -> status`.
pub type NativeFn = unsafe extern "C" fn(*mut Ctx, *const *const Value, *mut *const Value) -> i64;

pub const STATUS_VALUE: i64 = 0;
pub const STATUS_SKIPPED: i64 = 1;
pub const STATUS_FAILED: i64 = 2;

/// The state of one call of a compiled function (and the calls it makes).
/// `repr(C)`: batch functions read `dirty` at [`CTX_DIRTY`].
#[repr(C)]
pub struct Ctx<'a> {
    /// Non-zero once the row has left something for `dash_row_end` to
    /// clear (values in the arena, a filling scratch buffer).
    pub dirty: u8,
    pub functions: &'a [NativeFn],
    pub sites: &'a [Site],
    pub eval: &'a EvalContext,
    /// Every value created during the call; cleared when the row ends.
    pub arena: &'a mut Arena,
    /// Bytes of strings built during the call; cleared with the arena.
    pub bytes: &'a mut Bytes,
    /// Batch functions: the batch being read (else null).
    pub input: *const Columns,
    /// Batch functions: the batch being written (else null).
    pub output: *mut Columns,
    /// Batch functions: the rows that failed, and how.
    pub failures: Vec<(usize, RowError)>,
    /// What a failed helper said, until the site's failure path uses it.
    pub pending: Option<(RowErrorCode, String)>,
    /// The error of a called transform.
    pub nested: Option<RowError>,
    /// A called transform skipped the row.
    pub skipped: bool,
    /// How the row failed, once it has.
    pub failure: Option<RowError>,
}

impl Ctx<'_> {
    pub(super) fn alloc(&mut self, v: Value) -> *const Value {
        self.dirty = 1;
        self.arena.alloc(v)
    }
}

/// Where batch functions find [`Ctx::dirty`].
pub const CTX_DIRTY: i32 = std::mem::offset_of!(Ctx<'static>, dirty) as i32;

/// Scalar kinds for [`dash_box`] and [`dash_unbox`].
pub const KIND_INT: i64 = 0;
pub const KIND_FLOAT: i64 = 1;
pub const KIND_BOOL: i64 = 2;
pub const KIND_TIMESTAMP: i64 = 3;
pub const KIND_DURATION: i64 = 4;

/// # Safety
/// `ctx` is the live context of this call.
pub(super) unsafe fn ctx<'a>(ctx: *mut Ctx<'a>) -> &'a mut Ctx<'a> {
    // SAFETY: compiled code passes on the pointer it was given, which the
    // caller made from a `&mut Ctx` that outlives the call.
    unsafe { &mut *ctx }
}

/// # Safety
/// `p` points to a live `Value` (arena, site table or caller's args).
pub(super) unsafe fn val<'a>(p: *const Value) -> &'a Value {
    // SAFETY: see the module invariants.
    unsafe { &*p }
}

/// `n` value pointers from a stack slot.
///
/// # Safety
/// `p` points to `n` valid value pointers.
unsafe fn vals(p: *const *const Value, n: i64) -> Vec<Value> {
    (0..n.max(0) as usize)
        // SAFETY: the compiled code stored `n` pointers at `p`.
        .map(|i| unsafe { val(*p.add(i)) }.clone())
        .collect()
}

/// Call `f` with the `n` values at `p` as one slice, without cloning
/// them: up to four are copied bit for bit into a stack buffer that is
/// never dropped (so reference counts stay as they are), which is sound
/// because the originals outlive the call and `f` only reads.
///
/// # Safety
/// `p` points to `n` valid value pointers.
unsafe fn with_vals<R>(p: *const *const Value, n: i64, f: impl FnOnce(&[Value]) -> R) -> R {
    let n = n.max(0) as usize;
    if n <= 4 {
        let mut buf: [std::mem::MaybeUninit<Value>; 4] =
            [const { std::mem::MaybeUninit::uninit() }; 4];
        for (i, slot) in buf.iter_mut().enumerate().take(n) {
            // SAFETY: the compiled code stored `n` valid pointers at `p`;
            // the copy is never dropped (MaybeUninit), see above.
            slot.write(unsafe { std::ptr::read(*p.add(i)) });
        }
        // SAFETY: the first `n` slots were initialized just above.
        let values = unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<Value>(), n) };
        f(values)
    } else {
        // SAFETY: as above.
        f(&unsafe { vals(p, n as i64) })
    }
}

pub unsafe extern "C" fn dash_box(
    cx: *mut Ctx,
    kind: i64,
    bits: i64,
    is_null: i64,
) -> *const Value {
    let v = if is_null != 0 {
        Value::Null
    } else {
        match kind {
            KIND_INT => Value::Int(bits),
            KIND_FLOAT => Value::Float(f64::from_bits(bits as u64)),
            KIND_BOOL => Value::Bool(bits != 0),
            KIND_TIMESTAMP => Value::Timestamp(bits),
            _ => Value::Duration(bits),
        }
    };
    // SAFETY: module invariants.
    unsafe { ctx(cx) }.alloc(v)
}

/// The scalar's bits as `kind` (float bits for floats, an int read as a
/// float converted, 0/1 for bools, 0 for null).
pub unsafe extern "C" fn dash_unbox(p: *const Value, kind: i64) -> i64 {
    // SAFETY: module invariants.
    match (unsafe { val(p) }, kind) {
        (Value::Int(i), KIND_FLOAT) => (*i as f64).to_bits() as i64,
        (Value::Int(i) | Value::Timestamp(i) | Value::Duration(i), _) => *i,
        (Value::Float(f), _) => f.to_bits() as i64,
        (Value::Bool(b), _) => i64::from(*b),
        _ => 0,
    }
}

pub unsafe extern "C" fn dash_is_null(p: *const Value) -> i64 {
    // SAFETY: module invariants.
    i64::from(unsafe { val(p) }.is_null())
}

pub unsafe extern "C" fn dash_const(cx: *mut Ctx, site: i64) -> *const Value {
    // SAFETY: module invariants; `site` is an index the compiler made.
    let cx = unsafe { ctx(cx) };
    match cx.sites.get(site as usize) {
        Some(s) => &s.value,
        None => cx.alloc(Value::Null),
    }
}

pub unsafe extern "C" fn dash_field(cx: *mut Ctx, base: *const Value, site: i64) -> *const Value {
    // SAFETY: module invariants.
    let cx = unsafe { ctx(cx) };
    let mut v = unsafe { val(base) };
    let path = cx.sites.get(site as usize).map_or(&[][..], |s| &s.path[..]);
    for i in path {
        match v {
            Value::Record(r) => match r.fields.get(*i as usize) {
                Some(f) => v = f,
                None => return cx.alloc(Value::Null),
            },
            _ => return cx.alloc(Value::Null),
        }
    }
    // Fields live as long as their record, which lives in the arena or
    // the caller's arguments.
    v
}

pub unsafe extern "C" fn dash_compare(op: i64, a: *const Value, b: *const Value) -> i64 {
    let op = match op {
        0 => CmpOp::Eq,
        1 => CmpOp::Ne,
        2 => CmpOp::Lt,
        3 => CmpOp::Le,
        4 => CmpOp::Gt,
        _ => CmpOp::Ge,
    };
    // SAFETY: module invariants.
    i64::from(crate::interp::compare(op, unsafe { val(a) }, unsafe {
        val(b)
    }))
}

pub extern "C" fn dash_fmod(x: f64, y: f64) -> f64 {
    crate::interp::canonical_nan(x % y)
}

/// `round(x, digits)` on native floats (the built-in's own rounding).
pub extern "C" fn dash_round(x: f64, digits: i64) -> f64 {
    catch_unwind(|| crate::stdlib::round_to(x, digits)).unwrap_or(x)
}

pub unsafe extern "C" fn dash_concat2(
    cx: *mut Ctx,
    a: *const Value,
    b: *const Value,
) -> *const Value {
    // SAFETY: module invariants.
    let (a, b) = unsafe { (val(a), val(b)) };
    let v = if a.is_null() || b.is_null() {
        Value::Null
    } else {
        Value::string(format!("{}{}", a.to_text(), b.to_text()))
    };
    unsafe { ctx(cx) }.alloc(v)
}

pub unsafe extern "C" fn dash_concat(
    cx: *mut Ctx,
    parts: *const *const Value,
    n: i64,
) -> *const Value {
    // SAFETY: module invariants.
    let text: String = unsafe { vals(parts, n) }
        .iter()
        .map(Value::to_text)
        .collect();
    unsafe { ctx(cx) }.alloc(Value::string(text))
}

pub unsafe extern "C" fn dash_to_float(cx: *mut Ctx, a: *const Value) -> *const Value {
    // SAFETY: module invariants.
    let v = crate::interp::to_float(unsafe { val(a) });
    unsafe { ctx(cx) }.alloc(v)
}

pub unsafe extern "C" fn dash_record(
    cx: *mut Ctx,
    id: i64,
    fields: *const *const Value,
    n: i64,
) -> *const Value {
    // SAFETY: module invariants.
    let v = Value::record(RecordId(id as u32), unsafe { vals(fields, n) });
    unsafe { ctx(cx) }.alloc(v)
}

pub unsafe extern "C" fn dash_list(
    cx: *mut Ctx,
    items: *const *const Value,
    n: i64,
) -> *const Value {
    // SAFETY: module invariants.
    let v = Value::list(unsafe { vals(items, n) });
    unsafe { ctx(cx) }.alloc(v)
}

/// `list[i]`; null pointer (and a pending error) when out of range.
pub unsafe extern "C" fn dash_index(
    cx: *mut Ctx,
    list: *const Value,
    index: *const Value,
) -> *const Value {
    // SAFETY: module invariants.
    let cx = unsafe { ctx(cx) };
    match crate::interp::index(unsafe { val(list) }, unsafe { val(index) }) {
        Ok(v) => cx.alloc(v),
        Err((code, message)) => {
            cx.pending = Some((code, message));
            std::ptr::null()
        }
    }
}

/// A built-in; null pointer (and a pending error) when it fails.
pub unsafe extern "C" fn dash_call_builtin(
    cx: *mut Ctx,
    site: i64,
    args: *const *const Value,
    n: i64,
) -> *const Value {
    // SAFETY: module invariants.
    let cx = unsafe { ctx(cx) };
    let Some(builtin) = cx.sites.get(site as usize).and_then(|s| s.builtin) else {
        cx.pending = Some((RowErrorCode::Function, "unknown built-in".into()));
        return std::ptr::null();
    };
    let eval = cx.eval;
    // SAFETY: `n` pointers were stored at `args`.
    let result = unsafe {
        with_vals(args, n, |args| {
            catch_unwind(AssertUnwindSafe(|| (builtin.eval)(args, eval)))
        })
    };
    match result {
        Ok(Ok(v)) => cx.alloc(v),
        Ok(Err(message)) => {
            cx.pending = Some((RowErrorCode::Function, message));
            std::ptr::null()
        }
        Err(_) => {
            cx.pending = Some((
                RowErrorCode::Function,
                format!("{}: internal error", builtin.name),
            ));
            std::ptr::null()
        }
    }
}

/// Another compiled transform; null pointer when it skipped (`skipped`
/// set) or failed (`nested` set).
pub unsafe extern "C" fn dash_call_fn(
    cx: *mut Ctx,
    func: i64,
    args: *const *const Value,
    n: i64,
) -> *const Value {
    // SAFETY: module invariants.
    let c = unsafe { ctx(cx) };
    let Some(f) = c.functions.get(func as usize).copied() else {
        c.pending = Some((RowErrorCode::Fail, "no such function".into()));
        return std::ptr::null();
    };
    // The callee gets its own argument array (the caller's stack slot
    // holds exactly `n` pointers).
    let argv: Vec<*const Value> = (0..n.max(0) as usize)
        // SAFETY: `n` pointers were stored at `args`.
        .map(|i| unsafe { *args.add(i) })
        .collect();
    let mut out: *const Value = std::ptr::null();
    // SAFETY: `f` was compiled for this signature; `cx` stays valid.
    let status = unsafe { f(cx, argv.as_ptr(), &mut out) };
    let c = unsafe { ctx(cx) };
    match status {
        STATUS_VALUE => out,
        STATUS_SKIPPED => {
            c.skipped = true;
            std::ptr::null()
        }
        _ => {
            c.nested = c.failure.take();
            std::ptr::null()
        }
    }
}

pub unsafe extern "C" fn dash_skipped(cx: *mut Ctx) -> i64 {
    // SAFETY: module invariants.
    // Read once, by the call's failure path: the row ends skipped.
    i64::from(std::mem::take(&mut unsafe { ctx(cx) }.skipped))
}

/// A `??` caught a failure: forget it.
pub unsafe extern "C" fn dash_clear(cx: *mut Ctx) {
    // SAFETY: module invariants.
    let cx = unsafe { ctx(cx) };
    cx.pending = None;
    cx.nested = None;
}

/// The row fails at `site`: with a called transform's error, else with
/// what the failed helper said, else with the site's own code/message.
pub unsafe extern "C" fn dash_fail_at(cx: *mut Ctx, site: i64) {
    // SAFETY: module invariants.
    let cx = unsafe { ctx(cx) };
    let Some(s) = cx.sites.get(site as usize) else {
        return;
    };
    let failure = match (cx.nested.take(), cx.pending.take()) {
        (Some(nested), _) => nested,
        (None, Some((code, message))) => RowError {
            code,
            message,
            file: s.file,
            span: s.span,
        },
        (None, None) => RowError {
            code: s.code,
            message: s.message.clone(),
            file: s.file,
            span: s.span,
        },
    };
    cx.failure = Some(failure);
}

/// `require … else msg` / `fail msg`: the row fails with `msg`'s text.
pub unsafe extern "C" fn dash_fail_message(cx: *mut Ctx, site: i64, message: *const Value) {
    // SAFETY: module invariants.
    let cx = unsafe { ctx(cx) };
    let text = unsafe { val(message) }.to_text();
    if let Some(s) = cx.sites.get(site as usize) {
        cx.failure = Some(RowError {
            code: s.code,
            message: text,
            file: s.file,
            span: s.span,
        });
    }
}

/// Every helper by the name compiled code imports it as.
pub fn symbols() -> Vec<(&'static str, *const u8)> {
    vec![
        ("dash_box", dash_box as *const u8),
        ("dash_unbox", dash_unbox as *const u8),
        ("dash_is_null", dash_is_null as *const u8),
        ("dash_const", dash_const as *const u8),
        ("dash_field", dash_field as *const u8),
        ("dash_compare", dash_compare as *const u8),
        ("dash_fmod", dash_fmod as *const u8),
        ("dash_round", dash_round as *const u8),
        ("dash_concat2", dash_concat2 as *const u8),
        ("dash_concat", dash_concat as *const u8),
        ("dash_to_float", dash_to_float as *const u8),
        ("dash_record", dash_record as *const u8),
        ("dash_list", dash_list as *const u8),
        ("dash_index", dash_index as *const u8),
        ("dash_call_builtin", dash_call_builtin as *const u8),
        ("dash_call_fn", dash_call_fn as *const u8),
        ("dash_skipped", dash_skipped as *const u8),
        ("dash_clear", dash_clear as *const u8),
        ("dash_fail_at", dash_fail_at as *const u8),
        ("dash_fail_message", dash_fail_message as *const u8),
        ("dash_str_box", dash_str_box as *const u8),
        ("dash_str_parts", dash_str_parts as *const u8),
        ("dash_str_trim", dash_str_trim as *const u8),
        ("dash_str_lower", dash_str_lower as *const u8),
        ("dash_str_upper", dash_str_upper as *const u8),
        ("dash_str_len", dash_str_len as *const u8),
        ("dash_str_cmp", dash_str_cmp as *const u8),
        ("dash_str_test", dash_str_test as *const u8),
        ("dash_str_concat", dash_str_concat as *const u8),
        ("dash_row_value", dash_row_value as *const u8),
        ("dash_in_field", dash_in_field as *const u8),
        ("dash_out_str", dash_out_str as *const u8),
        ("dash_out_field", dash_out_field as *const u8),
        ("dash_out_value", dash_out_value as *const u8),
        ("dash_row_failed", dash_row_failed as *const u8),
        ("dash_row_end", dash_row_end as *const u8),
    ]
}
