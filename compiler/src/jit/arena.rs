//! Where the values compiled code creates live: chunks of fixed capacity
//! that are never grown, so a value's address is stable until the arena
//! is cleared. Cleared after every row; its chunks are kept, so a warm
//! arena allocates nothing.

use crate::value::Value;

const CHUNK: usize = 128;

#[derive(Default)]
pub struct Arena {
    chunks: Vec<Vec<Value>>,
    /// The chunk being filled.
    current: usize,
}

impl Arena {
    pub fn alloc(&mut self, v: Value) -> *const Value {
        if self
            .chunks
            .get(self.current)
            .is_some_and(|c| c.len() == CHUNK)
        {
            self.current += 1;
        }
        if self.current == self.chunks.len() {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        let chunk = &mut self.chunks[self.current];
        // Below capacity: the push never reallocates, so earlier
        // addresses in this chunk stay valid.
        chunk.push(v);
        &chunk[chunk.len() - 1]
    }

    /// Drop every value (their addresses become invalid); keep the chunks.
    pub fn clear(&mut self) {
        let used = (self.current + 1).min(self.chunks.len());
        for chunk in &mut self.chunks[..used] {
            chunk.clear();
        }
        self.current = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_stay_valid_across_chunks() {
        let mut arena = Arena::default();
        let ptrs: Vec<*const Value> = (0..1000).map(|i| arena.alloc(Value::Int(i))).collect();
        for (i, p) in ptrs.iter().enumerate() {
            // SAFETY: not cleared yet.
            assert!(matches!(unsafe { &**p }, Value::Int(n) if *n == i as i64));
        }
        arena.clear();
        let p = arena.alloc(Value::Int(7));
        assert!(matches!(unsafe { &*p }, Value::Int(7)));
        assert_eq!(arena.chunks.len(), 1000usize.div_ceil(CHUNK));
    }
}
