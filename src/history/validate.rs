//! The whole of `validate` as a library: read history files line by line, honour their
//! headers, split by shard, reorder within a window, count or stop at malformed lines, and
//! judge every record. `drs-lifecycle validate` is this plus its output; a program that
//! watches its own fleet embeds it the same way:
//!
//! ```
//! use drs_lifecycle::history::validate::{Settings, Validator};
//!
//! let history = br#"{"kind":"status","job":"j1","t":"2025-03-01T00:00:00Z","status":"CREATING"}
//! {"kind":"status","job":"j1","t":"2025-03-01T00:01:00Z","status":"DELETED"}
//! {"kind":"status","job":"j1","t":"2025-03-01T00:02:00Z","status":"CREATING"}
//! "#;
//! let mut validator = Validator::new(Settings::default());
//! validator.read(&history[..], "polls.jsonl").expect("well formed");
//! let outcome = validator.finish().expect("well formed");
//! let violation = &outcome.judge.violations[0];
//! assert_eq!(violation.job, "j1");
//! assert_eq!(violation.record.line, 3);
//! assert_eq!(violation.claim, drs_lifecycle::history::claim::DELETED_REAPPEARS);
//! ```
//!
//! Streaming: memory grows with the number of jobs (a few dozen bytes each) and with the
//! records held by a reordering window, not with the history.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::BufRead;

use super::judge::{ExcursionPolicy, Judge, Options, job_hash};
use super::record::{Malformed, Record, RecordError, parse_line};
use super::time::Millis;

/// How to validate: the judge's options, and what the command line states over the
/// histories' headers.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Excursion codes: skipped and counted, or violations.
    pub excursions: ExcursionPolicy,
    /// Every user operation is recorded (`None`: the header's word, else not).
    pub commands_complete: Option<bool>,
    /// Billing events are recorded (`None`: the header's word, else not).
    pub billing_recorded: Option<bool>,
    /// An accepted command takes effect within this long (`Some(None)`: no bound; `None`:
    /// the header's word, else no bound).
    pub apply_within: Option<Option<Millis>>,
    /// Records of a job may arrive up to this much out of time order.
    pub reorder_window: Option<Millis>,
    /// Judge only the jobs whose [`job_hash`] is `i` modulo `n`: `(i, n)`, `i < n`.
    pub shard: Option<(u64, u64)>,
    /// Count malformed lines and judge the rest, instead of stopping at the first.
    pub keep_going: bool,
    /// Record every gap's shortest unseen path ([`Judge::gaps`]).
    pub explain: bool,
    /// Keep the reconstructed run of this job for an ITF trace ([`Judge::trace`]).
    pub trace_job: Option<String>,
    /// Report jobs that stay in a transient status past these bounds ([`Judge::stuck`]).
    pub deadlines: Option<super::deadline::Deadlines>,
}

/// Why reading stopped.
#[derive(Debug)]
pub enum Stop {
    /// A line is not a record (and [`Settings::keep_going`] is off): the file and the error.
    Malformed {
        /// The file's name as given to [`Validator::read`].
        file: String,
        /// The line and what is wrong with it.
        error: RecordError,
    },
    /// The input could not be read.
    Io {
        /// The file's name as given to [`Validator::read`].
        file: String,
        /// The reader's error.
        error: std::io::Error,
    },
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Malformed { file, error } => write!(f, "{file}:{}: {}", error.line, error.what),
            Stop::Io { file, error } => write!(f, "cannot read {file}: {error}"),
        }
    }
}

impl std::error::Error for Stop {}

/// What a validation found, once every file is read.
pub struct Outcome {
    /// The judge, finished: its verdicts, counts, gaps and trace.
    pub judge: Judge,
    /// Malformed lines skipped (with [`Settings::keep_going`]).
    pub malformed: u64,
    /// The first of them, as `file:line: what`.
    pub first_malformed: Option<String>,
    /// Records of jobs in other shards, not judged.
    pub skipped_other_shards: u64,
}

/// Reads and judges histories; see the [module documentation](self).
pub struct Validator {
    judge: Judge,
    settings: Settings,
    malformed: u64,
    first_malformed: Option<String>,
    skipped_other_shards: u64,
    buffer: BinaryHeap<Reverse<(Millis, u64, usize)>>,
    held: Vec<Option<(Record<'static>, String)>>,
    latest: Millis,
    buf: Vec<u8>,
}

impl Validator {
    /// A validator with nothing read yet.
    pub fn new(settings: Settings) -> Validator {
        let options = Options {
            excursions: settings.excursions,
            commands_complete: settings.commands_complete.unwrap_or(false),
            billing_recorded: settings.billing_recorded.unwrap_or(false),
            apply_within: settings.apply_within.flatten(),
            deadlines: settings.deadlines,
        };
        let mut judge = Judge::new(options);
        judge.explain = settings.explain;
        if let Some(job) = &settings.trace_job {
            judge.keep_trace(job);
        }
        Validator {
            judge,
            settings,
            malformed: 0,
            first_malformed: None,
            skipped_other_shards: 0,
            buffer: BinaryHeap::new(),
            held: Vec::new(),
            latest: Millis::MIN,
            buf: Vec::with_capacity(1024),
        }
    }

    /// The judge so far (for a progress line).
    pub fn judge(&self) -> &Judge {
        &self.judge
    }

    /// Reads one history to its end; `file` names it in errors. Returns at a malformed
    /// line unless [`Settings::keep_going`], and at a read error.
    pub fn read(&mut self, reader: impl BufRead, file: &str) -> Result<(), Stop> {
        self.read_with_progress(reader, file, |_, _| {})
    }

    /// [`read`](Self::read), calling `progress` with the judge and the line number every
    /// 65,536 lines.
    pub fn read_with_progress(
        &mut self,
        mut reader: impl BufRead,
        file: &str,
        mut progress: impl FnMut(&Judge, u64),
    ) -> Result<(), Stop> {
        let mut buf = std::mem::take(&mut self.buf);
        let mut line = 0u64;
        let result = loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) => break Ok(()),
                Ok(_) => {}
                Err(error) => {
                    break Err(Stop::Io {
                        file: file.to_string(),
                        error,
                    });
                }
            }
            line += 1;
            if let Err(stop) = self.line(&buf, line, file) {
                break Err(stop);
            }
            if line % 65_536 == 0 {
                progress(&self.judge, line);
            }
        };
        self.buf = buf;
        result
    }

    /// Judges one line of a history (`line` is its number in `file`).
    pub fn line(&mut self, bytes: &[u8], line: u64, file: &str) -> Result<(), Stop> {
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text.trim_end(),
            Err(_) => {
                let error = RecordError {
                    line,
                    what: Malformed::Json("not UTF-8".to_string()),
                };
                return self.malformed(file, error);
            }
        };
        if text.trim().is_empty() {
            return Ok(());
        }
        match parse_line(text, line) {
            Ok(record) => self.take(record, line, file),
            Err(error) => self.malformed(file, error),
        }
    }

    /// Judges what the reordering window still holds, and finishes the judge.
    pub fn finish(mut self) -> Result<Outcome, Stop> {
        self.release(Millis::MAX)?;
        self.judge.finish();
        Ok(Outcome {
            judge: self.judge,
            malformed: self.malformed,
            first_malformed: self.first_malformed,
            skipped_other_shards: self.skipped_other_shards,
        })
    }

    fn malformed(&mut self, file: &str, error: RecordError) -> Result<(), Stop> {
        if !self.settings.keep_going {
            return Err(Stop::Malformed {
                file: file.to_string(),
                error,
            });
        }
        self.malformed += 1;
        if self.first_malformed.is_none() {
            self.first_malformed = Some(format!("{file}:{}: {}", error.line, error.what));
        }
        Ok(())
    }

    fn in_shard(&self, job: &str) -> bool {
        self.settings
            .shard
            .is_none_or(|(i, n)| job_hash(job) % n == i)
    }

    fn take(&mut self, record: Record<'_>, line: u64, file: &str) -> Result<(), Stop> {
        let record = match record {
            Record::Header(header) => {
                self.judge.header(&header);
                let s = &self.settings;
                let mut options = self.judge.options();
                options.commands_complete = s
                    .commands_complete
                    .or(header.commands_complete)
                    .unwrap_or(false);
                options.billing_recorded = s
                    .billing_recorded
                    .or(header.billing_recorded)
                    .unwrap_or(false);
                options.apply_within = s.apply_within.unwrap_or(header.apply_within);
                self.judge.set_options(options);
                return Ok(());
            }
            Record::Polls(polls, transient) if self.settings.shard.is_some() => {
                let kept: Vec<_> = polls
                    .into_iter()
                    .filter(|p| self.in_shard(&p.job))
                    .collect();
                Record::Polls(kept, transient)
            }
            other => other,
        };
        if let Some(job) = record.job()
            && !self.in_shard(job)
        {
            self.skipped_other_shards += 1;
            return Ok(());
        }
        match self.settings.reorder_window {
            None => self.judge_one(&record, line, file),
            Some(window) => {
                let time = record.time().unwrap_or(self.latest);
                self.latest = self.latest.max(time);
                let slot = self
                    .held
                    .iter()
                    .position(Option::is_none)
                    .unwrap_or_else(|| {
                        self.held.push(None);
                        self.held.len() - 1
                    });
                self.held[slot] = Some((record.into_owned(), file.to_string()));
                self.buffer.push(Reverse((time, line, slot)));
                self.release(self.latest.saturating_sub(window))
            }
        }
    }

    /// Judges the buffered records older than `before`, in time order.
    fn release(&mut self, before: Millis) -> Result<(), Stop> {
        while let Some(Reverse((time, line, slot))) = self.buffer.peek().copied() {
            if time >= before {
                break;
            }
            self.buffer.pop();
            if let Some((record, file)) = self.held[slot].take() {
                self.judge_one(&record, line, &file)?;
            }
        }
        Ok(())
    }

    fn judge_one(&mut self, record: &Record<'_>, line: u64, file: &str) -> Result<(), Stop> {
        match self.judge.record(record, line) {
            Ok(()) => Ok(()),
            Err(error) => self.malformed(file, error),
        }
    }
}
