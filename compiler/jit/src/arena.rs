//! Where the values and string bytes compiled code creates live: chunks
//! of fixed capacity that are never grown, so an address is stable until
//! the arena is cleared. Cleared after every row; chunks are kept, so a
//! warm arena allocates nothing.

use dash_check::value::Value;

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

    pub fn is_empty(&self) -> bool {
        self.current == 0 && self.chunks.first().is_none_or(Vec::is_empty)
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

/// Scratch bytes for strings built by helpers (`lower`, `upper`).
#[derive(Default)]
pub struct Bytes {
    chunks: Vec<Vec<u8>>,
    current: usize,
}

const BYTES_CHUNK: usize = 64 * 1024;

impl Bytes {
    /// `parts`, joined; the slice stays where it is until `clear`.
    pub fn push(&mut self, parts: &[&[u8]]) -> &mut [u8] {
        let n = parts.iter().map(|p| p.len()).sum::<usize>();
        while self
            .chunks
            .get(self.current)
            .is_some_and(|c| c.capacity() - c.len() < n)
        {
            self.current += 1;
        }
        if self.current == self.chunks.len() {
            self.chunks.push(Vec::with_capacity(n.max(BYTES_CHUNK)));
        }
        let chunk = &mut self.chunks[self.current];
        let start = chunk.len();
        // Within capacity: no reallocation, earlier slices stay valid.
        for part in parts {
            chunk.extend_from_slice(part);
        }
        &mut chunk[start..]
    }

    /// Whether more than a quarter of the first chunk is used: rows leave
    /// their (dead) strings until then, so most rows clear nothing.
    pub fn is_filling(&self) -> bool {
        self.current > 0
            || self
                .chunks
                .first()
                .is_some_and(|c| c.len() > BYTES_CHUNK / 4)
    }

    /// Forget every string (their addresses become invalid); keep the
    /// usual chunks, drop outsized ones.
    pub fn clear(&mut self) {
        self.chunks.retain(|c| c.capacity() <= BYTES_CHUNK);
        for chunk in &mut self.chunks {
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

    #[test]
    fn scratch_bytes_stay_put() {
        let mut bytes = Bytes::default();
        let small: Vec<(*const u8, usize)> = (0..5000)
            .map(|i| {
                let s = format!("s{i}");
                let slot = bytes.push(&[s.as_bytes()]);
                (slot.as_ptr(), slot.len())
            })
            .collect();
        let big = bytes.push(&[&vec![b'x'; 3 * BYTES_CHUNK]]).as_ptr();
        for (i, (p, n)) in small.iter().enumerate() {
            // SAFETY: not cleared yet.
            let s = unsafe { std::slice::from_raw_parts(*p, *n) };
            assert_eq!(s, format!("s{i}").as_bytes());
        }
        assert_eq!(unsafe { *big.add(3 * BYTES_CHUNK - 1) }, b'x');
        assert!(bytes.is_filling());
        bytes.clear();
        assert!(!bytes.is_filling());
        assert!(bytes.chunks.iter().all(|c| c.capacity() <= BYTES_CHUNK));
    }
}
