//! Tests only: make the guarded work of a built-in panic, as if the
//! standard library had (no known input makes `round_to`,
//! `to_uppercase` or `to_lowercase` panic). Compiled out of every other
//! build, so it costs rows nothing.

use std::cell::Cell;

thread_local! {
    static PANIC_IN: Cell<Option<&'static str>> = const { Cell::new(None) };
}

/// Until the guard is dropped, [`super::guarded`] work of the
/// built-in `name` panics on this thread.
pub(crate) fn panic_in(name: &'static str) -> Guard {
    PANIC_IN.set(Some(name));
    Guard
}

pub(crate) struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        PANIC_IN.set(None);
    }
}

pub(super) fn check(name: &str) {
    if PANIC_IN.get() == Some(name) {
        panic!("injected panic in `{name}`");
    }
}
