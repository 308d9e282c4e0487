//! The progress line `dashc run` draws on a terminal: a bar when the
//! input's size is known, records/s, written and dead-lettered counts,
//! redrawn at most ten times a second.

use std::io::Write as _;
use std::time::{Duration, Instant};

use dash_runtime::executor::Summary;

pub struct ProgressLine {
    started: Instant,
    drawn: Option<Instant>,
}

impl ProgressLine {
    pub fn new() -> ProgressLine {
        ProgressLine {
            started: Instant::now(),
            drawn: None,
        }
    }

    /// Redraw, unless the last drawing is under 100 ms old.
    pub fn update(&mut self, s: &Summary) {
        if self
            .drawn
            .is_some_and(|d| d.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.drawn = Some(Instant::now());
        let line = render(s, self.started.elapsed());
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line}\x1b[K");
        let _ = err.flush();
    }

    /// Leave the line, so what follows starts on its own.
    pub fn finish(&self) {
        if self.drawn.is_some() {
            eprintln!();
        }
    }
}

/// `weather [#######-------------] 35% 350,000 read, 349,650 written,
/// 350 DLQ, 231,000 rec/s, ETA 3s`
pub fn render(s: &Summary, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64().max(1e-3);
    let rate = s.read as f64 / secs;
    let mut line = s.pipeline.clone();
    if let Some(total) = s.total_bytes.filter(|t| *t > 0) {
        let fraction = (s.position as f64 / total as f64).clamp(0.0, 1.0);
        let width = 20;
        let filled = (fraction * width as f64).round() as usize;
        line.push_str(&format!(
            " [{}{}] {:>3.0}%",
            "#".repeat(filled),
            "-".repeat(width - filled),
            fraction * 100.0
        ));
        if fraction > 0.0 && fraction < 1.0 {
            let eta = secs * (1.0 - fraction) / fraction;
            line.push_str(&format!(" ETA {}", short_duration(eta)));
        }
    }
    line.push_str(&format!(
        "  {} read, {} written, {} DLQ, {} rec/s",
        thousands(s.read),
        thousands(s.written),
        thousands(s.dead_lettered),
        thousands(rate as u64)
    ));
    if s.retries > 0 {
        line.push_str(&format!(", {} retries", s.retries));
    }
    line
}

fn short_duration(secs: f64) -> String {
    let secs = secs.round() as u64;
    if secs >= 3600 {
        format!("{}h{:02}m", secs / 3600, secs % 3600 / 60)
    } else if secs >= 60 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{secs}s")
    }
}

pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_bar_counts_and_an_eta() {
        let s = Summary {
            pipeline: "weather".into(),
            read: 350_000,
            written: 349_650,
            dead_lettered: 350,
            position: 35,
            total_bytes: Some(100),
            ..Summary::default()
        };
        assert_eq!(
            render(&s, Duration::from_secs(2)),
            "weather [#######-------------]  35% ETA 4s  350,000 read, 349,650 written, 350 DLQ, 175,000 rec/s"
        );
        let stdin = Summary {
            total_bytes: None,
            retries: 2,
            ..s
        };
        assert_eq!(
            render(&stdin, Duration::from_secs(1)),
            "weather  350,000 read, 349,650 written, 350 DLQ, 350,000 rec/s, 2 retries"
        );
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(12), "12");
    }
}
