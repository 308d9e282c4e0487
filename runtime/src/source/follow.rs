//! Files matched by a glob, read once to their end or followed as they
//! grow, rotate and appear.
//!
//! **Fingerprints.** A file is known by the SHA-256 of its first line (up
//! to and including the first `\n`, at most 1 KiB), not by its name: a
//! renamed file keeps its fingerprint, a rotated one (renamed away, a new
//! file created under the name) is a new fingerprint. Two files whose
//! first lines are identical are taken for the same file (as with
//! Vector's checksum fingerprint): while one is open, the other is not
//! read; once the first is closed, the other continues from its offset.
//! A file whose first line is not complete yet (no `\n` in fewer than
//! 1 KiB) has no fingerprint and is not read yet. Without `follow`, such
//! a file is read as it is, fingerprinted by its whole text.
//!
//! **State.** The committed state is a JSON object, fingerprint (hex) →
//! byte offset after the last line handed over, for the files currently
//! known. Records go out in units of at most [`UNIT`] records, each with
//! the whole state as it is after its last record, so a commit is exact:
//! after a restart (or a SIGKILL) a file whose fingerprint is in the
//! state resumes at its offset, wherever it is now in the glob; any other
//! file starts at 0. Files that are gone and were read to their end drop
//! out of the state.
//!
//! **Following.** Every [`POLL`] the glob is scanned again (sorted by
//! path: files are read in that order) and every known file is read from
//! its offset. Only complete lines are read (a last line waits for its
//! `\n`). Files are kept open and told apart by (device, inode): a file
//! renamed within the glob keeps its offset; one renamed out of the glob
//! (rotation) is still read through its open handle, and closed once it
//! has been gone from the glob and idle for [`CLOSE_AFTER`] (its last line
//! is then read even without a `\n`). A file shorter than its offset, or
//! whose first line changed under the same inode, was truncated or
//! rewritten: it is read again from 0. A truncation that is followed,
//! within one poll, by more bytes than were read before with the same
//! first line cannot be seen.
//!
//! **Without `follow`** every matching file is read once to its end
//! (its last line too, with or without `\n`) and the run ends.
//!
//! Lines are records as in `jsonl` (blank lines skipped) or, for
//! `format: lines`, each line (blank ones too) is a record whose one field
//! is its text; invalid UTF-8 makes a broken record (dead-lettered).

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use sha2::{Digest, Sha256};

use crate::shutdown::Shutdown;

use super::{Feed, Mark, RawRecord, SourceError, jsonl};

/// At most this many leading bytes make a fingerprint.
const PREFIX: usize = 1024;
/// At most this many records go in one unit (one commit's worth at most).
const UNIT: usize = 256;
/// How often the glob is scanned and files are polled for growth.
pub const POLL: Duration = Duration::from_millis(100);
/// How long a file gone from the glob stays open while it does not grow.
const CLOSE_AFTER: Duration = Duration::from_secs(1);

pub struct Follow {
    pub shown: String,
    pub pattern: PathBuf,
    pub follow: bool,
    /// `format: lines`: the JSON key of the record's one field.
    pub lines: Option<String>,
    /// The committed state: offsets by fingerprint.
    pub state: Option<String>,
}

type Tx = tokio::sync::mpsc::Sender<Result<Feed, SourceError>>;

/// Why reading stopped early.
enum Stop {
    /// The pipeline went away or a signal came: nothing more to do.
    Quit,
    Failed(SourceError),
}

impl From<SourceError> for Stop {
    fn from(e: SourceError) -> Stop {
        Stop::Failed(e)
    }
}

/// A file being read, kept open.
struct Tracked {
    /// Where it was last seen in the glob.
    path: PathBuf,
    file: File,
    /// (device, inode): the same file under any name.
    id: (u64, u64),
    /// `None` after a truncation, until its first line is complete again.
    fingerprint: Option<String>,
    /// The byte after the last line handed over.
    offset: u64,
    in_glob: bool,
    /// Length and modification time when its first line was last checked.
    checked: (u64, Option<SystemTime>),
    /// When it was last seen in the glob or grew.
    active: Instant,
}

struct Reader<'a> {
    shown: String,
    pattern: String,
    follow: bool,
    lines: Option<String>,
    tx: &'a Tx,
    shutdown: &'a Shutdown,
    files: Vec<Tracked>,
    /// Offsets of fingerprints not open: the committed state before the
    /// first scan, then files closed since the last scan (a file with the
    /// same first line continues from there).
    resume: HashMap<String, u64>,
    /// Records read, not yet handed over.
    pending: Vec<RawRecord>,
    /// The state last handed over (or committed before the run).
    sent: Option<String>,
}

impl Follow {
    pub fn run(self, tx: &Tx, shutdown: &Shutdown) {
        let resume = match parse_state(self.state.as_deref()) {
            Ok(r) => r,
            Err(message) => {
                let _ = tx.blocking_send(Err(SourceError::Format {
                    path: self.shown,
                    message,
                }));
                return;
            }
        };
        let Some(pattern) = self.pattern.to_str().map(str::to_string) else {
            let _ = tx.blocking_send(Err(SourceError::Format {
                path: self.shown,
                message: "the path is not valid UTF-8".into(),
            }));
            return;
        };
        let mut reader = Reader {
            shown: self.shown,
            pattern,
            follow: self.follow,
            lines: self.lines,
            tx,
            shutdown,
            files: Vec::new(),
            resume,
            pending: Vec::new(),
            sent: self.state,
        };
        match reader.run() {
            Ok(()) | Err(Stop::Quit) => {}
            Err(Stop::Failed(e)) => {
                let _ = tx.blocking_send(Err(e));
            }
        }
    }
}

/// The committed state as offsets by fingerprint.
fn parse_state(state: Option<&str>) -> Result<HashMap<String, u64>, String> {
    match state {
        None => Ok(HashMap::new()),
        Some(s) => serde_json::from_str(s).map_err(|e| {
            format!(
                "its checkpoint is not a map of file fingerprints to offsets ({e}); \
                 run with `--from-start` to read the files again"
            )
        }),
    }
}

/// The fingerprint of `file`: the SHA-256 (hex) of its first line, up to
/// and including the first `\n`, at most [`PREFIX`] bytes. `None` while
/// that line is shorter and not complete, unless `whole` (any non-empty
/// text is then enough).
fn fingerprint(file: &File, whole: bool) -> std::io::Result<Option<String>> {
    let mut prefix = vec![0u8; PREFIX];
    let mut n = 0;
    while n < PREFIX {
        match file.read_at(&mut prefix[n..], n as u64) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let line = match prefix[..n].iter().position(|&b| b == b'\n') {
        Some(i) => &prefix[..=i],
        None if n == PREFIX || (whole && n > 0) => &prefix[..n],
        None => return Ok(None),
    };
    Ok(Some(
        Sha256::digest(line)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    ))
}

impl Reader<'_> {
    fn run(&mut self) -> Result<(), Stop> {
        loop {
            if self.shutdown.is_set() {
                return Err(Stop::Quit);
            }
            self.scan()?;
            let now = Instant::now();
            for i in 0..self.files.len() {
                let last = !self.follow;
                self.read(i, last)?;
            }
            if self.follow {
                self.close_gone(now)?;
            }
            self.hand_over()?;
            if !self.follow {
                return Ok(());
            }
            std::thread::sleep(POLL);
        }
    }

    fn io(&self, path: &std::path::Path, e: std::io::Error) -> Stop {
        Stop::Failed(SourceError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }

    /// Scan the glob: note where known files are, check them for
    /// truncation, open new ones.
    fn scan(&mut self) -> Result<(), Stop> {
        let entries = glob::glob(&self.pattern).map_err(|e| {
            Stop::Failed(SourceError::Format {
                path: self.shown.clone(),
                message: format!("not a glob: {e}"),
            })
        })?;
        // Unreadable directories and files vanished while listed are
        // skipped: they may be there at the next scan.
        let mut found: Vec<PathBuf> = entries.filter_map(Result::ok).collect();
        found.sort();
        let now = Instant::now();
        for t in &mut self.files {
            t.in_glob = false;
        }
        for path in found {
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if !meta.is_file() {
                continue;
            }
            let id = (meta.dev(), meta.ino());
            if let Some(t) = self.files.iter_mut().find(|t| t.id == id) {
                t.path = path;
                t.in_glob = true;
                t.active = now;
                continue;
            }
            let file = match File::open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(self.io(&path, e)),
            };
            // The name may have been replaced between `metadata` and
            // `open`: what counts is the file opened.
            let meta = file.metadata().map_err(|e| self.io(&path, e))?;
            let id = (meta.dev(), meta.ino());
            if self.files.iter().any(|t| t.id == id) {
                continue;
            }
            let Some(fp) = fingerprint(&file, !self.follow).map_err(|e| self.io(&path, e))? else {
                continue; // its first line is not complete yet
            };
            if self
                .files
                .iter()
                .any(|t| t.fingerprint.as_deref() == Some(&fp))
            {
                continue; // the same first line as an open file: taken for it
            }
            let offset = self
                .resume
                .remove(&fp)
                .filter(|&o| o <= meta.len())
                .unwrap_or(0);
            self.files.push(Tracked {
                path,
                file,
                id,
                fingerprint: Some(fp),
                offset,
                in_glob: true,
                checked: (meta.len(), meta.modified().ok()),
                active: now,
            });
        }
        // Fingerprints neither found nor open are gone.
        self.resume.clear();
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        for i in 0..self.files.len() {
            self.check(i)?;
        }
        Ok(())
    }

    /// Start a truncated or rewritten file over from 0.
    fn check(&mut self, i: usize) -> Result<(), Stop> {
        let whole = !self.follow;
        let t = &mut self.files[i];
        let meta = match t.file.metadata() {
            Ok(m) => m,
            Err(e) => {
                let path = t.path.clone();
                return Err(self.io(&path, e));
            }
        };
        let now = (meta.len(), meta.modified().ok());
        if now == t.checked && meta.len() >= t.offset {
            return Ok(());
        }
        t.checked = now;
        let fp = match fingerprint(&t.file, whole) {
            Ok(fp) => fp,
            Err(e) => {
                let path = t.path.clone();
                return Err(self.io(&path, e));
            }
        };
        if meta.len() < t.offset || fp != t.fingerprint {
            if t.offset > 0 {
                tracing::info!(file = %t.path.display(), "file truncated or rewritten: reading it from its start");
            }
            t.offset = 0;
            t.fingerprint = fp;
        }
        Ok(())
    }

    /// Read file `i` from its offset: complete lines, and (`last`) a
    /// final line without `\n`.
    fn read(&mut self, i: usize, last: bool) -> Result<(), Stop> {
        loop {
            let full = self.read_some(i, last)?;
            if !full {
                return Ok(());
            }
            self.hand_over()?;
        }
    }

    /// Read lines of file `i` until the unit is full (returns true) or
    /// the file has nothing more (false).
    fn read_some(&mut self, i: usize, last: bool) -> Result<bool, Stop> {
        let t = &mut self.files[i];
        if t.fingerprint.is_none() {
            return Ok(false);
        }
        let io = |t: &Tracked, e: std::io::Error| {
            Stop::Failed(SourceError::Io {
                path: t.path.display().to_string(),
                message: e.to_string(),
            })
        };
        let len = t.file.metadata().map_err(|e| io(t, e))?.len();
        if len <= t.offset {
            return Ok(false);
        }
        let mut handle = &t.file;
        handle
            .seek(SeekFrom::Start(t.offset))
            .map_err(|e| io(t, e))?;
        let mut reader = BufReader::with_capacity(1 << 16, handle);
        let mut buf = Vec::new();
        let mut grew = false;
        let full = loop {
            if self.pending.len() >= UNIT {
                break true;
            }
            buf.clear();
            let n = reader.read_until(b'\n', &mut buf).map_err(|e| io(t, e))?;
            if n == 0 || (!last && buf.last() != Some(&b'\n')) {
                break false; // the end, or a line still being written
            }
            t.offset += n as u64;
            grew = true;
            let line = jsonl::trim_newline(&buf);
            if self.lines.is_none() && line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            self.pending
                .push(jsonl::record(line, 0, self.lines.as_deref()));
        };
        if grew {
            t.active = Instant::now();
        }
        Ok(full)
    }

    /// Close files gone from the glob and idle for [`CLOSE_AFTER`], after
    /// reading their last line; a file with the same first line found at
    /// the next scan continues from their offset.
    fn close_gone(&mut self, now: Instant) -> Result<(), Stop> {
        let mut i = 0;
        while i < self.files.len() {
            let t = &self.files[i];
            if t.in_glob || now.duration_since(t.active) < CLOSE_AFTER {
                i += 1;
                continue;
            }
            self.read(i, true)?;
            let t = self.files.remove(i);
            tracing::debug!(file = %t.path.display(), "file gone from the glob: closed");
            if let Some(fp) = t.fingerprint {
                self.resume.insert(fp, t.offset);
            }
        }
        Ok(())
    }

    /// The state now: offsets by fingerprint.
    fn state(&self) -> String {
        let mut offsets: BTreeMap<&str, u64> = self
            .resume
            .iter()
            .map(|(fp, &offset)| (fp.as_str(), offset))
            .collect();
        for t in &self.files {
            if let Some(fp) = &t.fingerprint {
                offsets.insert(fp, t.offset);
            }
        }
        serde_json::to_string(&offsets).expect("a map of numbers")
    }

    /// Hand the records read over as one unit with the state after them
    /// (also with none, when only the state changed).
    fn hand_over(&mut self) -> Result<(), Stop> {
        if self.shutdown.is_set() {
            return Err(Stop::Quit); // what is not handed over is read again
        }
        let state = self.state();
        if self.pending.is_empty() && self.sent.as_deref() == Some(state.as_str()) {
            return Ok(());
        }
        let records = std::mem::take(&mut self.pending);
        let mark = Mark {
            state: Some(state.clone()),
            ack: None,
        };
        self.tx
            .blocking_send(Ok(Feed::Unit(records, mark)))
            .map_err(|_| Stop::Quit)?;
        self.sent = Some(state);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("dash-follow-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// Read `pattern` once (no follow) from `state`: the records' texts
    /// and the last state handed over.
    fn read_once(
        pattern: PathBuf,
        lines: bool,
        state: Option<String>,
    ) -> (Vec<String>, Option<String>) {
        let (tx, mut rx) = tokio::sync::mpsc::channel(8);
        let (_trigger, shutdown) = crate::shutdown::channel();
        let follow = Follow {
            shown: pattern.display().to_string(),
            pattern,
            follow: false,
            lines: lines.then(|| "line".to_string()),
            state,
        };
        let thread = std::thread::spawn(move || follow.run(&tx, &shutdown));
        let mut texts = Vec::new();
        let mut last = None;
        while let Some(feed) = rx.blocking_recv() {
            match feed.expect("no error") {
                Feed::Unit(records, mark) => {
                    assert!(records.len() <= UNIT);
                    texts.extend(records.into_iter().map(|r| r.raw));
                    last = mark.state;
                }
                Feed::Record(_) => panic!("units only"),
            }
        }
        thread.join().unwrap();
        (texts, last)
    }

    #[test]
    fn fingerprint_is_the_first_line() {
        let d = dir("fingerprint");
        let p = d.join("a");
        std::fs::write(&p, "first").unwrap();
        let f = || File::open(&p).unwrap();
        assert_eq!(fingerprint(&f(), false).unwrap(), None, "not complete yet");
        let whole = fingerprint(&f(), true).unwrap();
        assert!(whole.is_some());
        std::fs::write(&p, "first\nsecond\n").unwrap();
        let one = fingerprint(&f(), false).unwrap().unwrap();
        std::fs::write(&p, "first\nother\nmore\n").unwrap();
        assert_eq!(
            fingerprint(&f(), false).unwrap().unwrap(),
            one,
            "later lines do not count"
        );
        assert_ne!(whole.unwrap(), one, "the newline is part of it");
        std::fs::write(&p, "x".repeat(2000)).unwrap();
        assert!(
            fingerprint(&f(), false).unwrap().is_some(),
            "1 KiB is enough"
        );
        std::fs::write(&p, "").unwrap();
        assert_eq!(
            fingerprint(&f(), true).unwrap(),
            None,
            "an empty file has none"
        );
    }

    #[test]
    fn a_glob_is_read_once_then_resumed_by_fingerprint() {
        let d = dir("once");
        std::fs::write(d.join("a.log"), "a1\na2\n").unwrap();
        std::fs::write(d.join("b.log"), "b1\n\nb22").unwrap(); // last line without \n
        std::fs::write(d.join("c.txt"), "not matched\n").unwrap();
        let pattern = d.join("*.log");
        let (texts, state) = read_once(pattern.clone(), false, None);
        assert_eq!(texts, ["a1", "a2", "b1", "b22"], "blank lines skipped");
        let offsets: BTreeMap<String, u64> =
            serde_json::from_str(state.as_deref().unwrap()).unwrap();
        let mut ends: Vec<u64> = offsets.values().copied().collect();
        ends.sort();
        assert_eq!(ends, [6, 7]);
        // Nothing new: nothing read, the state unchanged.
        let (texts, again) = read_once(pattern.clone(), false, state.clone());
        assert!(texts.is_empty());
        assert!(again.is_none() || again == state);
        // Renamed and grown: only the new lines.
        std::fs::rename(d.join("a.log"), d.join("z.log")).unwrap();
        let mut z = std::fs::OpenOptions::new()
            .append(true)
            .open(d.join("z.log"))
            .unwrap();
        std::io::Write::write_all(&mut z, b"a3\n").unwrap();
        std::fs::write(d.join("n.log"), "n1\n").unwrap();
        let (texts, _) = read_once(pattern, false, state);
        assert_eq!(texts, ["n1", "a3"], "by path: n.log, then z.log");
    }

    #[test]
    fn lines_keeps_blank_lines_and_units_stay_small() {
        let d = dir("lines");
        let text: String = (0..600)
            .map(|i| {
                if i % 3 == 0 {
                    "\n".to_string()
                } else {
                    format!("l{i}\n")
                }
            })
            .collect();
        std::fs::write(d.join("x.txt"), &text).unwrap();
        let (texts, state) = read_once(d.join("*.txt"), true, None);
        assert_eq!(texts.len(), 600);
        assert_eq!(texts[0], "");
        assert_eq!(texts[1], "l1");
        assert!(state.unwrap().ends_with(&format!(":{}}}", text.len())));
    }

    #[test]
    fn a_bad_state_is_an_error() {
        let d = dir("bad-state");
        let (tx, mut rx) = tokio::sync::mpsc::channel(8);
        let (_trigger, shutdown) = crate::shutdown::channel();
        Follow {
            shown: "x".into(),
            pattern: d.join("*"),
            follow: false,
            lines: None,
            state: Some("\"https://example.com/next\"".into()),
        }
        .run(&tx, &shutdown);
        drop(tx);
        assert!(matches!(
            rx.blocking_recv(),
            Some(Err(SourceError::Format { .. }))
        ));
    }
}
