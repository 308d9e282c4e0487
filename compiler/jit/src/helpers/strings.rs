//! Helpers for strings held natively as (pointer, byte length). A
//! pointer of 0 is the null string; every other pointer with its length
//! is a whole UTF-8 `str` (an input column's, a `Value`'s, a constant's
//! or scratch bytes'), alive until the row ends (**native strings** in
//! the parent module). Helpers returning a string return its pointer and
//! write its length to `len_out`, the compiled code's result slot
//! (**result slot**).

use super::{Ctx, ctx, guarded, val};
use dash_check::value::Value;

/// A native string's text ("" for null).
///
/// # Safety
/// `ptr` is 0, or points to `len` bytes of UTF-8 (a whole `str`: a
/// native string) that outlive `'a`.
pub(super) unsafe fn text<'a>(ptr: *const u8, len: i64) -> &'a str {
    if ptr.is_null() || len <= 0 {
        return "";
    }
    // SAFETY: **native strings**, as the caller guarantees: a non-null
    // pointer with its length is always a whole `str` (string spans are
    // only ever set from `&str`s), so the bytes are valid UTF-8, and
    // they live until the row ends.
    unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(ptr, len as usize)) }
}

/// Return `s` (whose bytes outlive the row) as a native string.
///
/// # Safety
/// `len_out` is the compiled code's result slot (**result slot**).
unsafe fn give(s: &str, len_out: *mut i64) -> *const u8 {
    // SAFETY: **result slot**: 8 bytes of the caller's stack, aligned to
    // 8, as the caller guarantees.
    unsafe { *len_out = s.len() as i64 };
    s.as_ptr()
}

/// A native string as a `Value` (null when `is_null`).
///
/// # Safety
/// `cx` is the live context of this call (**ctx**); `ptr` and `len` are
/// a native string (**native strings**).
pub unsafe extern "C" fn dash_str_box(
    cx: *mut Ctx,
    ptr: *const u8,
    len: i64,
    is_null: i64,
) -> *const Value {
    let v = if is_null != 0 || ptr.is_null() {
        Value::Null
    } else {
        // SAFETY: **native strings**: `ptr` and `len` are a whole UTF-8
        // `str` alive until the row ends.
        Value::str(unsafe { text(ptr, len) })
    };
    // SAFETY: **ctx**: `cx` is this call's live context.
    unsafe { ctx(cx) }.alloc(v)
}

/// A `Value`'s string in place; 0 for null (or anything not a string).
///
/// # Safety
/// `p` points to a live value (**value pointers**); `len_out` is the
/// compiled code's result slot (**result slot**).
pub unsafe extern "C" fn dash_str_parts(p: *const Value, len_out: *mut i64) -> *const u8 {
    // SAFETY: **value pointers**: `p` lives until the row ends, and so
    // does the string it holds.
    match unsafe { val(p) } {
        // SAFETY: **result slot**: `len_out` is the caller's result slot.
        Value::Str(s) => unsafe { give(s, len_out) },
        _ => {
            // SAFETY: **result slot**: `len_out` is the caller's result slot.
            unsafe { *len_out = 0 };
            std::ptr::null()
        }
    }
}

/// `trim`: a slice of its argument.
///
/// # Safety
/// `ptr` and `len` are a native string (**native strings**); `len_out`
/// is the compiled code's result slot (**result slot**).
pub unsafe extern "C" fn dash_str_trim(ptr: *const u8, len: i64, len_out: *mut i64) -> *const u8 {
    // SAFETY: **native strings**: `ptr` and `len` are a whole UTF-8 `str`
    // alive until the row ends.
    let s = unsafe { text(ptr, len) };
    // `trim` of "" is "" at the same (non-null) address.
    // SAFETY: **result slot**: `len_out` is the caller's result slot; the
    // slice lives as long as its argument.
    unsafe { give(s.trim(), len_out) }
}

/// `parts` joined into the scratch bytes, changed in place by `edit`,
/// as a native string (alive until the row ends).
///
/// # Safety
/// `len_out` is the compiled code's result slot (**result slot**).
unsafe fn to_scratch(
    cx: &mut Ctx,
    parts: &[&[u8]],
    edit: impl FnOnce(&mut [u8]),
    len_out: *mut i64,
) -> *const u8 {
    let out = cx.bytes.push(parts);
    edit(out);
    let (ptr, len) = (out.as_ptr(), out.len());
    if cx.bytes.is_filling() {
        cx.dirty = 1;
    }
    // SAFETY: **result slot**: `len_out` is the caller's result slot, as
    // the caller guarantees.
    unsafe { *len_out = len as i64 };
    if len == 0 {
        // Not null: a valid address for an empty string.
        return std::ptr::NonNull::<u8>::dangling().as_ptr();
    }
    ptr
}

/// `lower`/`upper` into the scratch bytes: ASCII in place, the rest
/// with Rust's full Unicode mapping (as the built-ins). A panic of the
/// mapping fails the row (R0005, pending in `cx`): the result is then
/// the null pointer, never a made-up string.
///
/// # Safety
/// `cx` is the live context of this call (**ctx**); `ptr` and `len` are
/// a native string (**native strings**); `len_out` is the compiled
/// code's result slot (**result slot**).
unsafe fn map_case(
    cx: *mut Ctx,
    ptr: *const u8,
    len: i64,
    len_out: *mut i64,
    upper: bool,
) -> *const u8 {
    // SAFETY: **ctx**: `cx` is this call's live context; **native
    // strings**: `ptr` and `len` are a whole UTF-8 `str` alive until the
    // row ends.
    let (cx, s) = unsafe { (ctx(cx), text(ptr, len)) };
    if s.is_ascii() {
        let edit = |b: &mut [u8]| {
            if upper {
                b.make_ascii_uppercase();
            } else {
                b.make_ascii_lowercase();
            }
        };
        // SAFETY: **result slot**: `len_out` is the caller's result slot
        // (this function's own guarantee, passed on).
        return unsafe { to_scratch(cx, &[s.as_bytes()], edit, len_out) };
    }
    let name = if upper { "upper" } else { "lower" };
    let mapped = guarded(cx, name, || {
        if upper {
            s.to_uppercase()
        } else {
            s.to_lowercase()
        }
    });
    let Some(mapped) = mapped else {
        // SAFETY: **result slot**: `len_out` is the caller's result slot.
        unsafe { *len_out = 0 };
        return std::ptr::null();
    };
    // SAFETY: **result slot**: `len_out` is the caller's result slot
    // (this function's own guarantee, passed on).
    unsafe { to_scratch(cx, &[mapped.as_bytes()], |_| {}, len_out) }
}

/// `lower` of a non-null string, into the scratch bytes; the null
/// pointer (and a pending R0005) when the case mapping panicked.
///
/// # Safety
/// `cx` is the live context of this call (**ctx**); `ptr` and `len` are
/// a native string (**native strings**); `len_out` is the compiled
/// code's result slot (**result slot**).
pub unsafe extern "C" fn dash_str_lower(
    cx: *mut Ctx,
    ptr: *const u8,
    len: i64,
    len_out: *mut i64,
) -> *const u8 {
    // SAFETY: `map_case` needs exactly this function's guarantees:
    // **ctx**, **native strings** and **result slot**.
    unsafe { map_case(cx, ptr, len, len_out, false) }
}

/// `upper` of a non-null string, into the scratch bytes; the null
/// pointer (and a pending R0005) when the case mapping panicked.
///
/// # Safety
/// `cx` is the live context of this call (**ctx**); `ptr` and `len` are
/// a native string (**native strings**); `len_out` is the compiled
/// code's result slot (**result slot**).
pub unsafe extern "C" fn dash_str_upper(
    cx: *mut Ctx,
    ptr: *const u8,
    len: i64,
    len_out: *mut i64,
) -> *const u8 {
    // SAFETY: `map_case` needs exactly this function's guarantees:
    // **ctx**, **native strings** and **result slot**.
    unsafe { map_case(cx, ptr, len, len_out, true) }
}

/// `len`: characters (code points).
///
/// # Safety
/// `ptr` and `len` are a native string (**native strings**).
pub unsafe extern "C" fn dash_str_len(ptr: *const u8, len: i64) -> i64 {
    // SAFETY: **native strings**: `ptr` and `len` are a whole UTF-8 `str`
    // alive until the row ends.
    let s = unsafe { text(ptr, len) };
    if s.is_ascii() {
        return s.len() as i64;
    }
    s.chars().count() as i64
}

/// What [`dash_str_test`] tests.
pub const STR_CONTAINS: i64 = 0;
pub const STR_STARTS_WITH: i64 = 1;
pub const STR_ENDS_WITH: i64 = 2;

/// `contains`, `starts_with` or `ends_with` (`test`) of `a` and `b`: 0 or 1.
///
/// # Safety
/// (`pa`, `la`) and (`pb`, `lb`) are native strings (**native
/// strings**).
pub unsafe extern "C" fn dash_str_test(
    test: i64,
    pa: *const u8,
    la: i64,
    pb: *const u8,
    lb: i64,
) -> i64 {
    // SAFETY: **native strings**: both pairs are whole UTF-8 `str`s alive
    // until the row ends.
    let (a, b) = unsafe { (text(pa, la), text(pb, lb)) };
    i64::from(match test {
        STR_CONTAINS => a.contains(b),
        STR_STARTS_WITH => a.starts_with(b),
        _ => a.ends_with(b),
    })
}

/// `a + b` into the scratch bytes.
///
/// # Safety
/// `cx` is the live context of this call (**ctx**); (`pa`, `la`) and
/// (`pb`, `lb`) are native strings (**native strings**); `len_out` is the
/// compiled code's result slot (**result slot**).
pub unsafe extern "C" fn dash_str_concat(
    cx: *mut Ctx,
    pa: *const u8,
    la: i64,
    pb: *const u8,
    lb: i64,
    len_out: *mut i64,
) -> *const u8 {
    // SAFETY: **ctx**: `cx` is this call's live context; **native
    // strings**: both pairs are whole UTF-8 `str`s alive until the row
    // ends (pushing to the scratch bytes never moves bytes already there,
    // so either may be a string built earlier in the row).
    let (cx, a, b) = unsafe { (ctx(cx), text(pa, la), text(pb, lb)) };
    // SAFETY: **result slot**: `len_out` is the caller's result slot
    // (this function's own guarantee, passed on).
    unsafe { to_scratch(cx, &[a.as_bytes(), b.as_bytes()], |_| {}, len_out) }
}

/// -1, 0 or 1: `a` before, equal to or after `b` (byte-wise, as `str`).
///
/// # Safety
/// (`pa`, `la`) and (`pb`, `lb`) are native strings (**native
/// strings**).
pub unsafe extern "C" fn dash_str_cmp(pa: *const u8, la: i64, pb: *const u8, lb: i64) -> i64 {
    // SAFETY: **native strings**: both pairs are whole UTF-8 `str`s alive
    // until the row ends.
    let (a, b) = unsafe { (text(pa, la), text(pb, lb)) };
    a.cmp(b) as i64
}
