//! What compiled code calls: `extern "C"` helpers for everything that is
//! not inline arithmetic (boxing scalars into `Value`s, fields, records,
//! lists, strings, built-ins, calls of other transforms), the per-call
//! [`Ctx`] they work in, and the [`Site`] table of static facts per
//! instruction (constants, field paths, error codes and spans).
//!
//! Every helper is an `unsafe extern "C" fn` whose `# Safety` section
//! says which of these guarantees (docs/architecture.md, "JIT
//! invariants") its caller, the compiled code, gives; the `SAFETY`
//! comments name the one that makes each `unsafe` block sound:
//! - **ctx**: a `*mut Ctx` is the context the row or batch function was
//!   called with, passed on unchanged: `Jit::run`/`Jit::run_columns` made
//!   it from a `&mut Ctx` that outlives the call, and no reference to it
//!   is held across a helper call;
//! - **value pointers**: a `*const Value` was returned by a helper or
//!   loaded from the row function's `args`: it points into `Ctx::arena`,
//!   the `Site` table or the caller's arguments, all alive until the row
//!   ends (the arena is cleared only by `dash_row_end`, or after a row
//!   function returned);
//! - **pointer arrays**: a `(*const *const Value, n)` pair is a stack slot
//!   of the compiled code holding exactly `n` value pointers;
//! - **native strings**: a `(*const u8, len)` pair is 0 (null) or a whole
//!   UTF-8 `str` that lives until the row ends (in an input column, a
//!   `Value` of the arena, the `Site` table or `Ctx::bytes`);
//! - **result slot**: a `*mut i64`/`*mut f64` out parameter is the compiled
//!   code's own 8-byte, 8-aligned result slot on its stack;
//! - **batch tables**: in a batch function, `Ctx::input` points to the
//!   batch being read and `Ctx::output` to the batch being written (both
//!   null in row functions); helpers reach the output only through
//!   `Ctx::output`, and the compiled code never writes the string and
//!   value columns that helpers change.
//!
//! Site indices come from the compiler for this `Jit`'s table; an index
//! not in it is tolerated (looked up with `get`), never trusted.
//!
//! No helper unwinds: code that could panic (built-ins, Unicode case
//! mapping, `round`) runs through [`guarded`], which turns a panic into a
//! pending row failure (R0005); the helper then returns its failure
//! signal (a null pointer or a set flag) and the compiled code takes the
//! site's failure path, exactly as for a built-in that returned an error.
//! No helper makes a value up instead.

// Every `unsafe` block says which guarantee makes it sound.
#![warn(clippy::undocumented_unsafe_blocks)]

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

mod batch;
#[cfg(test)]
pub(crate) mod inject;
mod strings;
#[cfg(test)]
mod tests;

pub use batch::*;
pub use strings::*;

use super::arena::{Arena, Bytes};
use dash_check::RecordId;
use dash_check::stdlib::{Builtin, EvalContext};
use dash_check::value::Value;
use dash_ir::CmpOp;
use dash_ir::columns::Columns;
use dash_ir::interp::{RowError, RowErrorCode};
use dash_syntax::source::{FileId, Span};

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

/// The context behind the pointer compiled code passes on.
///
/// # Safety
/// `ctx` is the live context of this call (**ctx**); the caller holds no
/// other reference to it while it uses the result.
pub(super) unsafe fn ctx<'a>(ctx: *mut Ctx<'a>) -> &'a mut Ctx<'a> {
    // SAFETY: **ctx**: the pointer the row or batch function was called
    // with, made from a `&mut Ctx` that outlives the call.
    unsafe { &mut *ctx }
}

/// The value behind a value pointer.
///
/// # Safety
/// `p` points to a live `Value` (arena, site table or caller's args:
/// **value pointers**) that outlives `'a`.
pub(super) unsafe fn val<'a>(p: *const Value) -> &'a Value {
    // SAFETY: as the caller guarantees: `p` points into the arena, the
    // site table or the caller's arguments, alive until the row ends.
    unsafe { &*p }
}

/// `n` value pointers from a stack slot, their values cloned.
///
/// # Safety
/// `p` points to `n` valid value pointers (**pointer arrays**, **value
/// pointers**).
unsafe fn vals(p: *const *const Value, n: i64) -> Vec<Value> {
    (0..n.max(0) as usize)
        // SAFETY: **pointer arrays**: the compiled code stored `n`
        // pointers at `p`, each a live value (**value pointers**).
        .map(|i| unsafe { val(*p.add(i)) }.clone())
        .collect()
}

/// Call `f` with the `n` values at `p` as one slice, without cloning
/// them: up to four are copied bit for bit into a stack buffer that is
/// never dropped (so reference counts stay as they are), which is sound
/// because the originals outlive the call and `f` only reads.
///
/// # Safety
/// `p` points to `n` valid value pointers (**pointer arrays**, **value
/// pointers**).
unsafe fn with_vals<R>(p: *const *const Value, n: i64, f: impl FnOnce(&[Value]) -> R) -> R {
    let n = n.max(0) as usize;
    if n <= 4 {
        let mut buf: [std::mem::MaybeUninit<Value>; 4] =
            [const { std::mem::MaybeUninit::uninit() }; 4];
        for (i, slot) in buf.iter_mut().enumerate().take(n) {
            // SAFETY: **pointer arrays**: the compiled code stored `n`
            // valid pointers at `p` (**value pointers**); the copy is
            // never dropped (MaybeUninit), see above.
            slot.write(unsafe { std::ptr::read(*p.add(i)) });
        }
        // SAFETY: the first `n` slots were initialized just above.
        let values = unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<Value>(), n) };
        f(values)
    } else {
        // SAFETY: the caller's guarantee, passed on: `n` valid pointers
        // at `p`.
        f(&unsafe { vals(p, n as i64) })
    }
}

/// The text of a panic's payload.
fn panic_text(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "no message"
    }
}

/// Run `body`, the work of the built-in `name`, catching a panic: the
/// panic becomes the pending row failure (R0005, "`name` panicked: …")
/// and the result `None`, which the helper turns into its failure signal
/// for the site's failure path. Never a made-up value.
fn guarded<R>(cx: &mut Ctx, name: &str, body: impl FnOnce() -> R) -> Option<R> {
    let result = catch_unwind(AssertUnwindSafe(|| {
        #[cfg(test)]
        inject::check(name);
        body()
    }));
    match result {
        Ok(v) => Some(v),
        Err(payload) => {
            let message = format!("`{name}` panicked: {}", panic_text(payload.as_ref()));
            cx.pending = Some((RowErrorCode::Function, message));
            None
        }
    }
}

/// A scalar as a `Value` in the arena (null when `is_null`).
///
/// # Safety
/// `cx` is the live context of this call (**ctx**).
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
    // SAFETY: **ctx**: `cx` is this call's live context.
    unsafe { ctx(cx) }.alloc(v)
}

/// The scalar's bits as `kind` (float bits for floats, an int read as a
/// float converted, 0/1 for bools, 0 for null).
///
/// # Safety
/// `p` points to a live value (**value pointers**).
pub unsafe extern "C" fn dash_unbox(p: *const Value, kind: i64) -> i64 {
    // SAFETY: **value pointers**: `p` points into the arena, the site
    // table or the caller's arguments, alive until the row ends.
    match (unsafe { val(p) }, kind) {
        (Value::Int(i), KIND_FLOAT) => (*i as f64).to_bits() as i64,
        (Value::Int(i) | Value::Timestamp(i) | Value::Duration(i), _) => *i,
        (Value::Float(f), _) => f.to_bits() as i64,
        (Value::Bool(b), _) => i64::from(*b),
        _ => 0,
    }
}

/// 1 when the value is null, else 0.
///
/// # Safety
/// `p` points to a live value (**value pointers**).
pub unsafe extern "C" fn dash_is_null(p: *const Value) -> i64 {
    // SAFETY: **value pointers**: `p` points to a value alive until the
    // row ends.
    i64::from(unsafe { val(p) }.is_null())
}

/// The constant of `site` (it stays in the site table, owned by the
/// `Jit`, as long as the compiled code).
///
/// # Safety
/// `cx` is the live context of this call (**ctx**).
pub unsafe extern "C" fn dash_const(cx: *mut Ctx, site: i64) -> *const Value {
    // SAFETY: **ctx**: `cx` is this call's live context.
    let cx = unsafe { ctx(cx) };
    match cx.sites.get(site as usize) {
        Some(s) => &s.value,
        None => cx.alloc(Value::Null),
    }
}

/// The field of `base` at the site's path (null when there is none).
///
/// # Safety
/// `cx` is the live context of this call (**ctx**); `base` points to a
/// live value (**value pointers**).
pub unsafe extern "C" fn dash_field(cx: *mut Ctx, base: *const Value, site: i64) -> *const Value {
    // SAFETY: **ctx**: `cx` is this call's live context.
    let cx = unsafe { ctx(cx) };
    // SAFETY: **value pointers**: `base` lives until the row ends.
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

/// The comparison `op` (0 `==`, 1 `!=`, 2 `<`, 3 `<=`, 4 `>`, 5 `>=`) of
/// two values, as the interpreter compares: 0 or 1.
///
/// # Safety
/// `a` and `b` point to live values (**value pointers**).
pub unsafe extern "C" fn dash_compare(op: i64, a: *const Value, b: *const Value) -> i64 {
    let op = match op {
        0 => CmpOp::Eq,
        1 => CmpOp::Ne,
        2 => CmpOp::Lt,
        3 => CmpOp::Le,
        4 => CmpOp::Gt,
        _ => CmpOp::Ge,
    };
    // SAFETY: **value pointers**: `a` and `b` live until the row ends.
    let (a, b) = unsafe { (val(a), val(b)) };
    i64::from(dash_ir::interp::compare(op, a, b))
}

/// `x % y` of floats, a NaN canonical (as the interpreter's).
pub extern "C" fn dash_fmod(x: f64, y: f64) -> f64 {
    dash_ir::interp::canonical_nan(x % y)
}

/// `round(x, digits)` on native floats (the built-in's own rounding),
/// its result written to `*out`. Returns 0; or, when the rounding
/// panicked, 1 with the failure (R0005) pending in `cx` and NaN in
/// `*out`: the compiled code then takes the site's failure path.
///
/// # Safety
/// `cx` is the live context of this call (**ctx**); `out` is the
/// compiled code's result slot (**result slot**).
pub unsafe extern "C" fn dash_round(cx: *mut Ctx, x: f64, digits: i64, out: *mut f64) -> i64 {
    // SAFETY: **ctx**: `cx` is this call's live context.
    let cx = unsafe { ctx(cx) };
    let (value, failed) = match guarded(cx, "round", || dash_check::stdlib::round_to(x, digits)) {
        Some(value) => (value, 0),
        None => (f64::NAN, 1),
    };
    // SAFETY: **result slot**: `out` is 8 bytes of the caller's stack,
    // aligned to 8.
    unsafe { *out = value };
    failed
}

/// `a + b` of two boxed values, as text (null if either is null).
///
/// # Safety
/// `cx` is the live context of this call (**ctx**); `a` and `b` point to
/// live values (**value pointers**).
pub unsafe extern "C" fn dash_concat2(
    cx: *mut Ctx,
    a: *const Value,
    b: *const Value,
) -> *const Value {
    // SAFETY: **value pointers**: `a` and `b` live until the row ends.
    let (a, b) = unsafe { (val(a), val(b)) };
    let v = if a.is_null() || b.is_null() {
        Value::Null
    } else {
        Value::string(format!("{}{}", a.to_text(), b.to_text()))
    };
    // SAFETY: **ctx**: `cx` is this call's live context.
    unsafe { ctx(cx) }.alloc(v)
}

/// String interpolation: the text of the `n` values at `parts`, joined.
///
/// # Safety
/// `cx` is the live context of this call (**ctx**); `parts` holds `n`
/// pointers to live values (**pointer arrays**, **value pointers**).
pub unsafe extern "C" fn dash_concat(
    cx: *mut Ctx,
    parts: *const *const Value,
    n: i64,
) -> *const Value {
    // SAFETY: **pointer arrays**: `parts` holds `n` live value pointers.
    let text: String = unsafe { vals(parts, n) }
        .iter()
        .map(Value::to_text)
        .collect();
    // SAFETY: **ctx**: `cx` is this call's live context.
    unsafe { ctx(cx) }.alloc(Value::string(text))
}

/// `ToFloat` of a boxed value (as the interpreter's).
///
/// # Safety
/// `cx` is the live context of this call (**ctx**); `a` points to a live
/// value (**value pointers**).
pub unsafe extern "C" fn dash_to_float(cx: *mut Ctx, a: *const Value) -> *const Value {
    // SAFETY: **value pointers**: `a` lives until the row ends.
    let v = dash_ir::interp::to_float(unsafe { val(a) });
    // SAFETY: **ctx**: `cx` is this call's live context.
    unsafe { ctx(cx) }.alloc(v)
}

/// A record of type `id` from the `n` values at `fields`.
///
/// # Safety
/// `cx` is the live context of this call (**ctx**); `fields` holds `n`
/// pointers to live values (**pointer arrays**, **value pointers**).
pub unsafe extern "C" fn dash_record(
    cx: *mut Ctx,
    id: i64,
    fields: *const *const Value,
    n: i64,
) -> *const Value {
    // SAFETY: **pointer arrays**: `fields` holds `n` live value pointers.
    let v = Value::record(RecordId(id as u32), unsafe { vals(fields, n) });
    // SAFETY: **ctx**: `cx` is this call's live context.
    unsafe { ctx(cx) }.alloc(v)
}

/// A list of the `n` values at `items`.
///
/// # Safety
/// `cx` is the live context of this call (**ctx**); `items` holds `n`
/// pointers to live values (**pointer arrays**, **value pointers**).
pub unsafe extern "C" fn dash_list(
    cx: *mut Ctx,
    items: *const *const Value,
    n: i64,
) -> *const Value {
    // SAFETY: **pointer arrays**: `items` holds `n` live value pointers.
    let v = Value::list(unsafe { vals(items, n) });
    // SAFETY: **ctx**: `cx` is this call's live context.
    unsafe { ctx(cx) }.alloc(v)
}

/// `list[i]`; null pointer (and a pending error) when out of range.
///
/// # Safety
/// `cx` is the live context of this call (**ctx**); `list` and `index`
/// point to live values (**value pointers**).
pub unsafe extern "C" fn dash_index(
    cx: *mut Ctx,
    list: *const Value,
    index: *const Value,
) -> *const Value {
    // SAFETY: **ctx**: `cx` is this call's live context.
    let cx = unsafe { ctx(cx) };
    // SAFETY: **value pointers**: `list` and `index` live until the row
    // ends.
    let (list, index) = unsafe { (val(list), val(index)) };
    match dash_ir::interp::index(list, index) {
        Ok(v) => cx.alloc(v),
        Err((code, message)) => {
            cx.pending = Some((code, message));
            std::ptr::null()
        }
    }
}

/// A built-in; null pointer (and a pending error) when it fails or
/// panics (R0005 either way).
///
/// # Safety
/// `cx` is the live context of this call (**ctx**); `args` holds `n`
/// pointers to live values (**pointer arrays**, **value pointers**).
pub unsafe extern "C" fn dash_call_builtin(
    cx: *mut Ctx,
    site: i64,
    args: *const *const Value,
    n: i64,
) -> *const Value {
    // SAFETY: **ctx**: `cx` is this call's live context.
    let cx = unsafe { ctx(cx) };
    let Some(builtin) = cx.sites.get(site as usize).and_then(|s| s.builtin) else {
        cx.pending = Some((RowErrorCode::Function, "unknown built-in".into()));
        return std::ptr::null();
    };
    let eval = cx.eval;
    // SAFETY: **pointer arrays**: the compiled code stored `n` live value
    // pointers at `args`.
    let result = unsafe {
        with_vals(args, n, |args| {
            guarded(cx, builtin.name, || (builtin.eval)(args, eval))
        })
    };
    match result {
        Some(Ok(v)) => cx.alloc(v),
        Some(Err(message)) => {
            cx.pending = Some((RowErrorCode::Function, message));
            std::ptr::null()
        }
        // `guarded` left the panic pending.
        None => std::ptr::null(),
    }
}

/// Another compiled transform; null pointer when it skipped (`skipped`
/// set) or failed (`nested` set).
///
/// # Safety
/// `cx` is the live context of this call (**ctx**); `args` holds `n`
/// pointers to live values (**pointer arrays**, **value pointers**), at
/// least as many as function `func` has parameters (the compiler calls a
/// transform with all its arguments).
pub unsafe extern "C" fn dash_call_fn(
    cx: *mut Ctx,
    func: i64,
    args: *const *const Value,
    n: i64,
) -> *const Value {
    // SAFETY: **ctx**: `cx` is this call's live context; this reference
    // is not used after the callee got `cx`.
    let c = unsafe { ctx(cx) };
    let Some(f) = c.functions.get(func as usize).copied() else {
        c.pending = Some((RowErrorCode::Fail, "no such function".into()));
        return std::ptr::null();
    };
    // The callee gets its own argument array (the caller's stack slot
    // holds exactly `n` pointers).
    let argv: Vec<*const Value> = (0..n.max(0) as usize)
        // SAFETY: **pointer arrays**: `n` pointers were stored at `args`.
        .map(|i| unsafe { *args.add(i) })
        .collect();
    let mut out: *const Value = std::ptr::null();
    // SAFETY: `f` was compiled with `function_signature`, `NativeFn`'s;
    // `argv` holds a live value pointer per parameter (**value
    // pointers**); `cx` stays the live context (**ctx**) and `out` is a
    // local the callee writes once.
    let status = unsafe { f(cx, argv.as_ptr(), &mut out) };
    // SAFETY: **ctx**: the callee has returned; no other reference to
    // the context is live.
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

/// 1 when a called transform skipped the row (and forget it), else 0.
///
/// # Safety
/// `cx` is the live context of this call (**ctx**).
pub unsafe extern "C" fn dash_skipped(cx: *mut Ctx) -> i64 {
    // SAFETY: **ctx**: `cx` is this call's live context.
    let cx = unsafe { ctx(cx) };
    // Read once, by the call's failure path: the row ends skipped.
    i64::from(std::mem::take(&mut cx.skipped))
}

/// A `??` caught a failure: forget it.
///
/// # Safety
/// `cx` is the live context of this call (**ctx**).
pub unsafe extern "C" fn dash_clear(cx: *mut Ctx) {
    // SAFETY: **ctx**: `cx` is this call's live context.
    let cx = unsafe { ctx(cx) };
    cx.pending = None;
    cx.nested = None;
}

/// The row fails at `site`: with a called transform's error, else with
/// what the failed helper said, else with the site's own code/message.
///
/// # Safety
/// `cx` is the live context of this call (**ctx**).
pub unsafe extern "C" fn dash_fail_at(cx: *mut Ctx, site: i64) {
    // SAFETY: **ctx**: `cx` is this call's live context.
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
///
/// # Safety
/// `cx` is the live context of this call (**ctx**); `message` points to
/// a live value (**value pointers**).
pub unsafe extern "C" fn dash_fail_message(cx: *mut Ctx, site: i64, message: *const Value) {
    // SAFETY: **ctx**: `cx` is this call's live context.
    let cx = unsafe { ctx(cx) };
    // SAFETY: **value pointers**: `message` lives until the row ends.
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
