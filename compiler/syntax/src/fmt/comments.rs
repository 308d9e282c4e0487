//! The comments of the file being formatted, and the small source queries
//! the printer needs to place them: which comments are already printed,
//! where the next piece of punctuation is, whether the source had a blank
//! line somewhere.
//!
//! Every comment is printed exactly once: the printer marks it done when it
//! writes it, or when it writes a literal verbatim that contains it (a
//! comment inside `${…}` of a string).

use crate::source::Span;

pub struct Comments<'a> {
    text: &'a str,
    spans: &'a [Span],
    done: Vec<bool>,
    /// Every comment before this index is done.
    first: usize,
}

impl<'a> Comments<'a> {
    pub fn new(text: &'a str, spans: &'a [Span]) -> Comments<'a> {
        Comments {
            text,
            spans,
            done: vec![false; spans.len()],
            first: 0,
        }
    }

    pub fn span(&self, i: usize) -> Span {
        self.spans[i]
    }

    /// The comment's source text, verbatim but for the `\r` of a `\r\n`
    /// line ending after a `//` comment (the output's lines end in `\n`).
    pub fn text(&self, i: usize) -> &'a str {
        let text = self.text.get(self.spans[i].range()).unwrap_or("");
        if text.starts_with("//") {
            text.trim_end_matches('\r')
        } else {
            text
        }
    }

    /// `// …` (nothing may follow it on its line).
    pub fn is_line_comment(&self, i: usize) -> bool {
        self.text(i).starts_with("//")
    }

    pub fn mark_done(&mut self, i: usize) {
        if let Some(d) = self.done.get_mut(i) {
            *d = true;
        }
        while self.done.get(self.first) == Some(&true) {
            self.first += 1;
        }
    }

    /// The first comment not yet printed.
    pub fn first_pending(&self) -> Option<usize> {
        (self.first..self.spans.len()).find(|&i| !self.done[i])
    }

    /// The first comment not yet printed, if it starts before `pos`.
    pub fn next_before(&self, pos: usize) -> Option<usize> {
        self.first_pending()
            .filter(|&i| (self.spans[i].start as usize) < pos)
    }

    /// Mark the comments that start inside `start..end` as printed (they
    /// are part of a literal printed verbatim).
    pub fn consume_within(&mut self, start: usize, end: usize) {
        let from = self.spans.partition_point(|c| (c.start as usize) < start);
        let mut i = from;
        while i < self.spans.len() && (self.spans[i].start as usize) < end {
            self.mark_done(i);
            i += 1;
        }
    }

    /// The end of the comment starting exactly at `pos`, if one does.
    fn ending_of_one_at(&self, pos: usize) -> Option<usize> {
        let i = self.spans.partition_point(|c| (c.start as usize) < pos);
        self.spans
            .get(i)
            .filter(|c| c.start as usize == pos)
            .map(|c| c.end as usize)
    }

    /// Where `token` is in the source, if it is the next thing after `from`
    /// (skipping whitespace, comments and, unless looking for one, commas
    /// the formatter drops).
    pub fn find_token(&self, from: usize, token: &str) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let mut i = from;
        loop {
            match bytes.get(i) {
                Some(b' ' | b'\t' | b'\r' | b'\n') => i += 1,
                Some(b',') if token != "," => i += 1,
                Some(b'/') => match self.ending_of_one_at(i) {
                    Some(end) if end > i => i = end,
                    _ => break,
                },
                _ => break,
            }
        }
        self.text
            .get(i..)
            .is_some_and(|rest| rest.starts_with(token))
            .then_some(i)
    }
}

/// Whether the source between `from` and `to` holds a blank line.
pub fn has_blank_line(text: &str, from: usize, to: usize) -> bool {
    let Some(gap) = text.get(from..to) else {
        return false;
    };
    let mut newline_seen = false;
    for b in gap.bytes() {
        match b {
            b'\n' if newline_seen => return true,
            b'\n' => newline_seen = true,
            b' ' | b'\t' | b'\r' => {}
            _ => newline_seen = false,
        }
    }
    false
}

/// Whether only spaces and commas separate `from` and `to` on one line.
pub fn same_line_gap(text: &str, from: usize, to: usize) -> bool {
    text.get(from..to).is_some_and(|gap| {
        gap.bytes()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b','))
    })
}
