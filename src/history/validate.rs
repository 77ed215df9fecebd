//! The whole of `validate` as a library: read history files line by line, honour their
//! headers, split by shard, reorder within a window, merge several files by time, count or
//! stop at malformed lines, keep what was judged when the input is damaged, and judge every
//! record. `drs-lifecycle validate` is this plus its output; a program that watches its own
//! fleet embeds it the same way:
//!
//! ```
//! use drs_lifecycle::history::validate::{Settings, Validator, Verdict};
//!
//! let history = br#"{"kind":"status","job":"j1","t":"2025-03-01T00:00:00Z","status":"CREATING"}
//! {"kind":"status","job":"j1","t":"2025-03-01T00:01:00Z","status":"DELETED"}
//! {"kind":"status","job":"j1","t":"2025-03-01T00:02:00Z","status":"CREATING"}
//! "#;
//! let mut validator = Validator::new(Settings::default());
//! validator.read(&history[..], "polls.jsonl").expect("well formed");
//! let outcome = validator.finish();
//! let violation = &outcome.judge.violations[0];
//! assert_eq!(violation.job, "j1");
//! assert_eq!(outcome.place(violation.record.line).to_string(), "polls.jsonl:3");
//! assert_eq!(violation.claim, drs_lifecycle::history::claim::DELETED_REAPPEARS);
//! assert_eq!(outcome.verdict(), Verdict::Violations);
//! ```
//!
//! **Locations.** The judge keeps a record's place as an opaque `u64` (in [`Seen::line`],
//! [`Divergence::line`], [`NeverApplied::line`], [`Gap::line`]); this loop passes it the
//! [`location`] of the record: the file's index (in the order the files were given) in the
//! high bits, the line number in the low [`LINE_BITS`]. The first file's locations are its
//! line numbers. [`Outcome::place`] turns one back into `file:line`.
//!
//! **Several files are one history** ([`Validator::read_merged`]): each file is read in its
//! own order (the reorder window applies within it), and the files are merged by time, one
//! pending record per file, so memory still grows with the jobs, not the records.
//!
//! **Damage.** A line that is not a record (without [`Settings::keep_going`]) or a file that
//! cannot be read to its end (a cut or corrupt `.gz`, an I/O error) stops the reading of
//! that file at that point ([`Stop`]). What was read is judged, and the history is judged
//! up to the time of the last record read from the damaged file ([`Outcome::judged_until`]):
//! what the file lost after it is unknown, so the other files' later records are not judged
//! (under `commands: complete` a lost command would otherwise show as a violation). Every
//! violation found before the damage is kept: the verdict is then [`Verdict::Violations`],
//! else [`Verdict::Malformed`].
//!
//! Streaming: memory grows with the number of jobs (a few dozen bytes each) and with the
//! records held by a reordering window and the merge, not with the history.
//!
//! [`Seen::line`]: super::judge::Seen::line
//! [`Divergence::line`]: super::judge::Divergence::line
//! [`NeverApplied::line`]: super::judge::NeverApplied::line
//! [`Gap::line`]: super::judge::Gap::line

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt;
use std::io::BufRead;

use super::judge::{ExcursionPolicy, Judge, Options, job_hash};
use super::record::{Header, Malformed, PLAUSIBLE_FROM, Record, RecordError, parse_line};
use super::time::{Millis, format_gap, format_time};

/// How many low bits of a [`location`] hold the line number: a file may have up to
/// 2⁴⁰ − 1 lines (a trillion), and a history up to 2²⁴ files.
pub use super::judge::LINE_BITS;

const LINE_MASK: u64 = (1 << LINE_BITS) - 1;

/// The most files one validation reads.
pub const MAX_FILES: usize = 1 << (64 - LINE_BITS);

/// The location the judge keeps for line `line` of the file of index `file`.
pub const fn location(file: usize, line: u64) -> u64 {
    ((file as u64) << LINE_BITS) | (line & LINE_MASK)
}

/// The index of the file of a [`location`].
pub const fn file_of(location: u64) -> usize {
    (location >> LINE_BITS) as usize
}

/// The line number (from 1) of a [`location`] in its file.
pub const fn line_of(location: u64) -> u64 {
    location & LINE_MASK
}

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
    /// Records of a job may arrive up to this much out of time order, within one file.
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

/// Why the reading of a file stopped before its end.
#[derive(Debug)]
pub enum Stop {
    /// A line is not a record (and [`Settings::keep_going`] is off): the file and the error,
    /// whose `line` is the line number in that file.
    Malformed {
        /// The file's name as given to [`Validator::read`].
        file: String,
        /// The line and what is wrong with it.
        error: RecordError,
    },
    /// The file could not be read past a point: a cut or corrupt `.gz`, an I/O error.
    Io {
        /// The file's name as given to [`Validator::read`].
        file: String,
        /// The first line that could not be read (the one after the last good line).
        line: u64,
        /// The reader's error.
        error: std::io::Error,
    },
    /// A line contradicts the rest of the history: a second header, two files whose
    /// headers disagree, a job's record earlier than its record in another file.
    Contradiction {
        /// The file's name.
        file: String,
        /// The line number in that file.
        line: u64,
        /// What is wrong and what to do, naming the other place.
        what: String,
    },
}

impl Stop {
    /// The file named.
    pub fn file(&self) -> &str {
        match self {
            Stop::Malformed { file, .. }
            | Stop::Io { file, .. }
            | Stop::Contradiction { file, .. } => file,
        }
    }

    /// The line (from 1) where reading stopped.
    pub fn line(&self) -> u64 {
        match self {
            Stop::Malformed { error, .. } => error.line,
            Stop::Io { line, .. } | Stop::Contradiction { line, .. } => *line,
        }
    }

    /// What is wrong, without the place.
    pub fn what(&self) -> String {
        match self {
            Stop::Malformed { error, .. } => error.what.to_string(),
            Stop::Io { error, .. } => format!(
                "cannot be read from here on ({error}): the file is cut short or damaged; \
                 what comes before was judged"
            ),
            Stop::Contradiction { what, .. } => what.clone(),
        }
    }

    /// `malformed`, `unreadable` or `contradiction`: the kind, as the JSON report names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Stop::Malformed { .. } => "malformed",
            Stop::Io { .. } => "unreadable",
            Stop::Contradiction { .. } => "contradiction",
        }
    }

    fn duplicate(&self) -> Stop {
        match self {
            Stop::Malformed { file, error } => Stop::Malformed {
                file: file.clone(),
                error: error.clone(),
            },
            Stop::Io { file, line, error } => Stop::Io {
                file: file.clone(),
                line: *line,
                error: std::io::Error::new(error.kind(), error.to_string()),
            },
            Stop::Contradiction { file, line, what } => Stop::Contradiction {
                file: file.clone(),
                line: *line,
                what: what.clone(),
            },
        }
    }
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file(), self.line(), self.what())
    }
}

impl std::error::Error for Stop {}

/// The verdict of a validation; the command's exit status follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every job is consistent with the specification (exit 0).
    Consistent,
    /// At least one job has a violation (exit 1), whatever else went wrong.
    Violations,
    /// No violation, but a job stayed in a transient status past its deadline
    /// (`--deadlines`, [`Judge::stuck`]; exit 4).
    Stuck,
    /// No violation, but some input was malformed, damaged or contradictory (exit 3).
    Malformed,
    /// The input holds no record at all (exit 3, or 0 with `--allow-empty`).
    Empty,
}

impl Verdict {
    /// How the JSON report names it.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Consistent => "consistent",
            Verdict::Violations => "violations",
            Verdict::Stuck => "stuck",
            Verdict::Malformed => "malformed",
            Verdict::Empty => "empty",
        }
    }
}

/// What a validation found, once every file is read.
pub struct Outcome {
    /// The judge, finished: its verdicts, counts, gaps and trace.
    pub judge: Judge,
    /// The files read, by index (the index of a [`location`]).
    pub files: Vec<String>,
    /// Malformed lines skipped (with [`Settings::keep_going`]).
    pub malformed: u64,
    /// The first of them, as `file:line: what`.
    pub first_malformed: Option<String>,
    /// Records of jobs in other shards, not judged.
    pub skipped_other_shards: u64,
    /// Where files stopped being read before their end, in the order met.
    pub stops: Vec<Stop>,
    /// With a stop, the time of the last record read from the damaged file: later records
    /// of the other files are not judged. A file that stopped before its first record
    /// stops the judging before the earliest time a record may have
    /// ([`PLAUSIBLE_FROM`] − 1 ms, 1999-12-31T23:59:59.999Z): nothing later is judged.
    pub judged_until: Option<Millis>,
    /// Records read but not judged because they are later than [`Outcome::judged_until`].
    pub not_judged: u64,
}

/// A location as `file:line`.
#[derive(Clone, Copy, Debug)]
pub struct Place<'a> {
    /// The file's name.
    pub file: &'a str,
    /// The line number in it, from 1.
    pub line: u64,
}

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

impl Outcome {
    /// The `file:line` of a location the judge kept.
    pub fn place(&self, location: u64) -> Place<'_> {
        Place {
            file: self
                .files
                .get(file_of(location))
                .map_or("<unknown file>", String::as_str),
            line: line_of(location),
        }
    }

    /// Records read, judged or not (every kind but headers), malformed lines aside.
    pub fn records_read(&self) -> u64 {
        self.judge.counts.records + self.skipped_other_shards + self.not_judged
    }

    /// The verdict: violations first (a violation found is never lost), then jobs stuck past
    /// a deadline, then malformed or damaged input, then an input with no record at all.
    pub fn verdict(&self) -> Verdict {
        if !self.judge.violations.is_empty() {
            Verdict::Violations
        } else if !self.judge.stuck.is_empty() {
            Verdict::Stuck
        } else if self.malformed > 0 || !self.stops.is_empty() {
            Verdict::Malformed
        } else if self.records_read() == 0 {
            Verdict::Empty
        } else {
            Verdict::Consistent
        }
    }
}

/// What the headers stated, each statement with the location of the header that made it.
#[derive(Default)]
struct Stated {
    commands_complete: Option<(bool, u64)>,
    billing_recorded: Option<(bool, u64)>,
    apply_within: Option<(Option<Millis>, u64)>,
}

/// A file's next record in the merge: its time, whether it is a poll (polls after the other
/// records of the same instant), its location, its slot in `Validator::held`, its source.
type Head = (Millis, bool, u64, usize, usize);

/// One file being read.
struct Source {
    /// The file's index in `Validator::files`.
    index: usize,
    /// Lines read so far.
    line: u64,
    /// The line of the file's first record (a header included), 0 before it.
    first_record: u64,
    /// The line of the file's header, 0 if none.
    header: u64,
    /// The latest time of a record read from the file.
    latest: Millis,
    /// Records held by the reordering window: (time, location, slot in `held`).
    window: BinaryHeap<Reverse<(Millis, u64, usize)>>,
    /// The file is read to its end (or stopped).
    ended: bool,
}

impl Source {
    fn new(index: usize) -> Source {
        Source {
            index,
            line: 0,
            first_record: 0,
            header: 0,
            latest: Millis::MIN,
            window: BinaryHeap::new(),
            ended: false,
        }
    }
}

/// Reads and judges histories; see the [module documentation](self).
pub struct Validator {
    judge: Judge,
    settings: Settings,
    files: Vec<String>,
    stated: Stated,
    malformed: u64,
    first_malformed: Option<String>,
    skipped_other_shards: u64,
    stops: Vec<Stop>,
    /// Records later than this are not judged (a file stopped at this time).
    horizon: Millis,
    not_judged: u64,
    /// Records held by reordering windows and the merge, by slot; `free` lists empty slots.
    held: Vec<Option<Record<'static>>>,
    free: Vec<usize>,
    buf: Vec<u8>,
}

/// The byte-order mark UTF-8 files written on Windows start with.
const BOM: &[u8] = "\u{feff}".as_bytes();

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
            files: Vec::new(),
            stated: Stated::default(),
            malformed: 0,
            first_malformed: None,
            skipped_other_shards: 0,
            stops: Vec::new(),
            horizon: Millis::MAX,
            not_judged: 0,
            held: Vec::new(),
            free: Vec::new(),
            buf: Vec::with_capacity(1024),
        }
    }

    /// The judge so far (for a progress line).
    pub fn judge(&self) -> &Judge {
        &self.judge
    }

    /// The judge, to change how it works before anything is read (tests only).
    #[cfg(test)]
    pub(crate) fn judge_mut(&mut self) -> &mut Judge {
        &mut self.judge
    }

    /// Reads one history file to its end, after the files read before it; `file` names it
    /// in errors and locations. Returns the [`Stop`] if the file could not be read to its
    /// end (a malformed line without [`Settings::keep_going`], a read error); what was read
    /// is judged either way, and [`finish`](Self::finish) reports the stop too.
    pub fn read(&mut self, reader: impl BufRead, file: &str) -> Result<(), Stop> {
        self.read_with_progress(reader, file, |_, _| {})
    }

    fn add_file(&mut self, file: &str) -> usize {
        let index = self.files.len();
        assert!(index < MAX_FILES, "more than {MAX_FILES} history files");
        self.files.push(file.to_string());
        index
    }

    /// [`read`](Self::read), calling `progress` with the judge and the line number every
    /// 65,536 lines.
    pub fn read_with_progress(
        &mut self,
        mut reader: impl BufRead,
        file: &str,
        mut progress: impl FnMut(&Judge, u64),
    ) -> Result<(), Stop> {
        let index = self.add_file(file);
        let mut source = Source::new(index);
        let mut buf = std::mem::take(&mut self.buf);
        let window = self.settings.reorder_window;
        let stop = loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) => break None,
                Ok(_) => {}
                Err(error) => {
                    break Some(Stop::Io {
                        file: file.to_string(),
                        line: source.line + 1,
                        error,
                    });
                }
            }
            source.line += 1;
            let line = source.line;
            let cut = !buf.ends_with(b"\n");
            let record = match self.classify(&mut source, &buf, cut) {
                Ok(Some(record)) => record,
                Ok(None) => continue,
                Err(stop) => break Some(stop),
            };
            let at = location(index, line);
            match window {
                None => {
                    if let Some(time) = record.time() {
                        source.latest = source.latest.max(time);
                    }
                    if let Err(stop) = self.judge_one(&record, at) {
                        break Some(stop);
                    }
                }
                Some(window) => {
                    let time = record.time().unwrap_or(source.latest);
                    source.latest = source.latest.max(time);
                    self.hold(&mut source, record.into_owned(), time, at);
                    let before = source.latest.saturating_sub(window);
                    if let Err(stop) = self.release(&mut source, before) {
                        break Some(stop);
                    }
                }
            }
            if line % 65_536 == 0 {
                progress(&self.judge, line);
            }
        };
        self.buf = buf;
        let result = match stop {
            None => Ok(()),
            Some(stop) => {
                self.horizon = self.horizon.min(source.latest);
                self.stops.push(stop.duplicate());
                Err(stop)
            }
        };
        // The window holds records read before the end (or the stop): judge them.
        if let Err(stop) = self.release(&mut source, Millis::MAX) {
            self.stops.push(stop.duplicate());
            return result.and(Err(stop));
        }
        result
    }

    /// Reads several history files as one history: each in its own order (the reorder
    /// window applies within it), merged by time (ties in the order the files are given).
    /// Every header is read before any record is judged, so the statements of all files
    /// apply to the whole history. A file that cannot be read to its end stops the
    /// judging at the time of its last record read ([`Outcome::judged_until`]). Returns
    /// the first stop, if any; [`finish`](Self::finish) reports them all.
    pub fn read_merged<R: BufRead>(
        &mut self,
        inputs: Vec<(R, String)>,
        mut progress: impl FnMut(&Judge, u64),
    ) -> Result<(), Stop> {
        let first_stop = self.stops.len();
        let mut readers = Vec::with_capacity(inputs.len());
        let mut sources = Vec::with_capacity(inputs.len());
        let mut bufs = Vec::with_capacity(inputs.len());
        for (reader, name) in inputs {
            let index = self.add_file(&name);
            readers.push(reader);
            sources.push(Source::new(index));
            bufs.push(Vec::with_capacity(1024));
        }
        // Each file's next record, in the order of (time, polls after the rest, location):
        // the merge. At one instant, a command (or a timeline entry, a billing event) in one
        // file and a poll in another are taken command first: a poll may show an accepted
        // command's effect or not yet, so that order explains both.
        let mut heads: BinaryHeap<Reverse<Head>> = BinaryHeap::new();
        for s in 0..sources.len() {
            if let Some((time, at, slot)) =
                self.next_of(&mut sources[s], &mut readers[s], &mut bufs[s])
            {
                heads.push(Reverse((time, self.is_poll(slot), at, slot, s)));
            }
        }
        let mut lines = 0u64;
        while let Some(Reverse((time, _, at, slot, s))) = heads.pop() {
            let record = self.held[slot].take();
            self.free.push(slot);
            if let Some(record) = record {
                if time > self.horizon {
                    self.not_judged += 1;
                } else if let Err(stop) = self.judge_one(&record, at) {
                    self.stop_at(&mut sources[s], stop);
                }
            }
            if let Some((time, at, slot)) =
                self.next_of(&mut sources[s], &mut readers[s], &mut bufs[s])
            {
                heads.push(Reverse((time, self.is_poll(slot), at, slot, s)));
            }
            lines += 1;
            if lines % 65_536 == 0 {
                progress(&self.judge, lines);
            }
            if self.horizon != Millis::MAX
                && heads
                    .peek()
                    .is_some_and(|Reverse((time, ..))| *time > self.horizon)
            {
                // Everything left is later than the damage: count what is held, read no more.
                for Reverse((_, _, _, slot, _)) in heads.drain() {
                    if self.held[slot].take().is_some() {
                        self.not_judged += 1;
                    }
                    self.free.push(slot);
                }
                for source in &mut sources {
                    for Reverse((_, _, slot)) in source.window.drain() {
                        if self.held[slot].take().is_some() {
                            self.not_judged += 1;
                        }
                        self.free.push(slot);
                    }
                }
            }
        }
        match self.stops.get(first_stop) {
            Some(stop) => Err(stop.duplicate()),
            None => Ok(()),
        }
    }

    /// Whether the record held in `slot` is a poll (or a saved answer of polls).
    fn is_poll(&self, slot: usize) -> bool {
        matches!(self.held[slot], Some(Record::Status(_) | Record::Polls(..)))
    }

    /// The next record of a file in its order (through its window), held in a slot:
    /// `(time, location, slot)`, or `None` at its end.
    fn next_of<R: BufRead>(
        &mut self,
        source: &mut Source,
        reader: &mut R,
        buf: &mut Vec<u8>,
    ) -> Option<(Millis, u64, usize)> {
        let window = self.settings.reorder_window;
        loop {
            if let Some(&Reverse((time, at, slot))) = source.window.peek() {
                let ready = match window {
                    None => true,
                    Some(window) => source.ended || time < source.latest.saturating_sub(window),
                };
                if ready {
                    source.window.pop();
                    return Some((time, at, slot));
                }
            }
            if source.ended {
                return None;
            }
            buf.clear();
            match reader.read_until(b'\n', buf) {
                Ok(0) => {
                    source.ended = true;
                    continue;
                }
                Ok(_) => {}
                Err(error) => {
                    let stop = Stop::Io {
                        file: self.files[source.index].clone(),
                        line: source.line + 1,
                        error,
                    };
                    self.stop_at(source, stop);
                    continue;
                }
            }
            source.line += 1;
            let at = location(source.index, source.line);
            let cut = !buf.ends_with(b"\n");
            match self.classify(source, buf, cut) {
                Ok(Some(record)) => {
                    let time = record.time().unwrap_or(source.latest);
                    source.latest = source.latest.max(time);
                    let record = record.into_owned();
                    let slot = self.slot(record);
                    if window.is_none() {
                        // No window: the file's order is its order.
                        return Some((time, at, slot));
                    }
                    source.window.push(Reverse((time, at, slot)));
                }
                Ok(None) => {}
                Err(stop) => self.stop_at(source, stop),
            }
        }
    }

    /// A file stops being read: the history is judged up to its latest record.
    fn stop_at(&mut self, source: &mut Source, stop: Stop) {
        source.ended = true;
        self.horizon = self.horizon.min(source.latest);
        self.stops.push(stop);
    }

    /// Holds a record in the file's window.
    fn hold(&mut self, source: &mut Source, record: Record<'static>, time: Millis, at: u64) {
        let slot = self.slot(record);
        source.window.push(Reverse((time, at, slot)));
    }

    /// Holds a record in a free slot.
    fn slot(&mut self, record: Record<'static>) -> usize {
        match self.free.pop() {
            Some(slot) => {
                self.held[slot] = Some(record);
                slot
            }
            None => {
                self.held.push(Some(record));
                self.held.len() - 1
            }
        }
    }

    /// Judges one line of a history: `line` is its number in the file `file` (given to
    /// [`read`](Self::read) before, or a new one).
    pub fn line(&mut self, bytes: &[u8], line: u64, file: &str) -> Result<(), Stop> {
        let index = match self.files.iter().position(|f| f == file) {
            Some(index) => index,
            None => self.add_file(file),
        };
        let mut source = Source::new(index);
        source.line = line;
        // A lone line: its header (if it is one) is judged as the first of its file.
        source.first_record = u64::from(line != 1);
        match self.classify(&mut source, bytes, false)? {
            Some(record) => self.judge_one(&record, location(index, line)),
            None => Ok(()),
        }
    }

    /// Reads the line just read from `source`: `Some` record to judge, `None` for a blank
    /// line, a header, a record of another shard or a skipped malformed line. `cut`: the
    /// line is the last of its file and has no end of line (a lone line never is).
    fn classify<'a>(
        &mut self,
        source: &mut Source,
        bytes: &'a [u8],
        cut: bool,
    ) -> Result<Option<Record<'a>>, Stop> {
        let line = source.line;
        let bytes = if line == 1 {
            bytes.strip_prefix(BOM).unwrap_or(bytes)
        } else {
            bytes
        };
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text.trim_end(),
            Err(error) => {
                let what = Malformed::Json(format!(
                    "not UTF-8 (byte {} of the line); save the history as UTF-8",
                    error.valid_up_to() + 1
                ));
                return self
                    .malformed(source, RecordError { line, what })
                    .map(|()| None);
            }
        };
        if text.trim_start().is_empty() {
            return Ok(None);
        }
        let first = source.first_record == 0;
        if first {
            source.first_record = line;
        }
        let record = match parse_line(text, line) {
            Ok(record) => record,
            Err(mut error) => {
                if cut && let Malformed::Json(message) = &mut error.what {
                    message.push_str(
                        "; this last line has no end of line: the file was probably cut short",
                    );
                }
                return self.malformed(source, error).map(|()| None);
            }
        };
        match record {
            Record::Header(header) => {
                self.header(source, &header, first)?;
                Ok(None)
            }
            Record::Polls(polls, transient) if self.settings.shard.is_some() => {
                let kept: Vec<_> = polls
                    .into_iter()
                    .filter(|p| self.in_shard(&p.job))
                    .collect();
                Ok(Some(Record::Polls(kept, transient)))
            }
            record => {
                if let Some(job) = record.job()
                    && !self.in_shard(job)
                {
                    self.skipped_other_shards += 1;
                    return Ok(None);
                }
                Ok(Some(record))
            }
        }
    }

    /// A header: only on its file's first record line; its statements combine with the
    /// other files' and must agree with them where the command line does not decide.
    fn header(&mut self, source: &mut Source, header: &Header, first: bool) -> Result<(), Stop> {
        let file = self.files[source.index].clone();
        let line = source.line;
        if !first {
            let what = if source.header != 0 {
                format!(
                    "a second header (the first is on line {}): a history states its header \
                     once, on the first line of each file; remove this one, or split the file \
                     here and name both files",
                    source.header
                )
            } else {
                format!(
                    "a header after records (the first is on line {}): a header states what \
                     the whole file is, so it must be the file's first record; move it there",
                    source.first_record
                )
            };
            return self.contradiction(file, line, what);
        }
        source.header = line;
        let at = location(source.index, line);
        self.judge.header(header, at);
        let s = &self.settings;
        let commands = |v: bool| if v { "complete" } else { "partial" }.to_string();
        let billing = |v: bool| if v { "recorded" } else { "unrecorded" }.to_string();
        let bound = |v: Option<Millis>| v.map_or("no bound".to_string(), format_gap);
        // (field, flag, this header's statement, the statement kept and where it was made)
        let mut conflict = None;
        if let Some(new) = header.commands_complete {
            match self.stated.commands_complete {
                None => self.stated.commands_complete = Some((new, at)),
                Some((old, other)) if old != new && s.commands_complete.is_none() => {
                    conflict = Some((
                        "commands",
                        "--commands",
                        commands(new),
                        commands(old),
                        other,
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some(new) = header.billing_recorded
            && conflict.is_none()
        {
            match self.stated.billing_recorded {
                None => self.stated.billing_recorded = Some((new, at)),
                Some((old, other)) if old != new && s.billing_recorded.is_none() => {
                    conflict = Some(("billing", "--billing", billing(new), billing(old), other));
                }
                Some(_) => {}
            }
        }
        if let Some(new) = header.apply_within
            && conflict.is_none()
        {
            match self.stated.apply_within {
                None => self.stated.apply_within = Some((Some(new), at)),
                Some((old, other)) if old != Some(new) && s.apply_within.is_none() => {
                    conflict = Some((
                        "apply_within",
                        "--apply-within",
                        bound(Some(new)),
                        bound(old),
                        other,
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some((field, flag, this, kept, other)) = conflict {
            let what = format!(
                "this header states {field} {this}, but the header on {}:{} states {kept}: \
                 the files of one history must agree; correct one, or decide on the command \
                 line with {flag}",
                self.files[file_of(other)],
                line_of(other),
            );
            return self.contradiction(file, line, what);
        }
        let mut options = self.judge.options();
        options.commands_complete = s
            .commands_complete
            .or(self.stated.commands_complete.map(|(v, _)| v))
            .unwrap_or(false);
        options.billing_recorded = s
            .billing_recorded
            .or(self.stated.billing_recorded.map(|(v, _)| v))
            .unwrap_or(false);
        options.apply_within = s
            .apply_within
            .unwrap_or(self.stated.apply_within.and_then(|(v, _)| v));
        self.judge.set_options(options);
        Ok(())
    }

    fn contradiction(&mut self, file: String, line: u64, what: String) -> Result<(), Stop> {
        let stop = Stop::Contradiction { file, line, what };
        if !self.settings.keep_going {
            return Err(stop);
        }
        self.malformed += 1;
        if self.first_malformed.is_none() {
            self.first_malformed = Some(stop.to_string());
        }
        Ok(())
    }

    /// Judges what the reordering windows still hold, and finishes the judge.
    pub fn finish(mut self) -> Outcome {
        self.judge.finish();
        Outcome {
            judge: self.judge,
            files: self.files,
            malformed: self.malformed,
            first_malformed: self.first_malformed,
            skipped_other_shards: self.skipped_other_shards,
            // A file that stopped before its first record stops the judging at the start:
            // just before the earliest time a record may have.
            // Files read before it were judged whole, so with nothing left unjudged such a
            // stop says nothing about how far the history was judged.
            judged_until: (self.horizon != Millis::MAX
                && (self.horizon >= PLAUSIBLE_FROM || self.not_judged > 0))
                .then_some(self.horizon.max(PLAUSIBLE_FROM - 1)),
            not_judged: self.not_judged,
            stops: self.stops,
        }
    }

    fn malformed(&mut self, source: &Source, error: RecordError) -> Result<(), Stop> {
        let file = &self.files[source.index];
        if !self.settings.keep_going {
            return Err(Stop::Malformed {
                file: file.clone(),
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

    /// Judges the window's records older than `before`, in time order.
    fn release(&mut self, source: &mut Source, before: Millis) -> Result<(), Stop> {
        while let Some(&Reverse((time, at, slot))) = source.window.peek() {
            if time >= before && before != Millis::MAX {
                break;
            }
            source.window.pop();
            let record = self.held[slot].take();
            self.free.push(slot);
            if let Some(record) = record {
                self.judge_one(&record, at)?;
            }
        }
        Ok(())
    }

    /// Judges a record at a location; a record the judge refuses (out of its job's order)
    /// is malformed, named in its file.
    #[inline]
    fn judge_one(&mut self, record: &Record<'_>, at: u64) -> Result<(), Stop> {
        if self.horizon != Millis::MAX
            && let Some(time) = record.time()
            && time > self.horizon
        {
            self.not_judged += 1;
            return Ok(());
        }
        match self.judge.record(record, at) {
            Ok(()) => Ok(()),
            Err(error) => self.refused(error, at),
        }
    }

    /// A record the judge refused (out of its job's order): malformed, named in its file.
    #[cold]
    #[inline(never)]
    fn refused(&mut self, error: RecordError, at: u64) -> Result<(), Stop> {
        let file = self.files[file_of(at)].clone();
        let line = line_of(at);
        let error = match error.what {
            Malformed::OutOfOrder {
                job,
                time,
                previous_line,
                previous_time,
            } => {
                if file_of(previous_line) != file_of(at) {
                    let what = format!(
                        "job {job} at {} is earlier than its record on {}:{} at {}: each file \
                         is merged by time, so it must be in time order itself \
                         (--reorder-window allows a bounded reordering within a file)",
                        format_time(time),
                        self.files[file_of(previous_line)],
                        line_of(previous_line),
                        format_time(previous_time)
                    );
                    return self.contradiction(file, line, what);
                }
                RecordError {
                    line,
                    what: Malformed::OutOfOrder {
                        job,
                        time,
                        previous_line: line_of(previous_line),
                        previous_time,
                    },
                }
            }
            what => RecordError { line, what },
        };
        if !self.settings.keep_going {
            return Err(Stop::Malformed { file, error });
        }
        self.malformed += 1;
        if self.first_malformed.is_none() {
            self.first_malformed = Some(format!("{file}:{line}: {}", error.what));
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod scenario_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_holds_the_file_and_the_line() {
        assert_eq!(
            location(0, 17),
            17,
            "the first file's locations are its lines"
        );
        let at = location(3, 1_234_567);
        assert_eq!((file_of(at), line_of(at)), (3, 1_234_567));
        let last = location(MAX_FILES - 1, LINE_MASK);
        assert_eq!((file_of(last), line_of(last)), (MAX_FILES - 1, LINE_MASK));
    }

    #[test]
    fn headers_of_two_files_combine_and_a_second_header_is_refused() {
        let header = |commands: &str| {
            format!(
                "{{\"kind\":\"header\",\"format\":\"drs-lifecycle history 1\",\"commands\":\"{commands}\"}}\n"
            )
        };
        let poll = "{\"kind\":\"status\",\"job\":\"j\",\"t\":\"2025-03-01T00:00:00Z\",\"status\":\"CREATING\"}\n";
        // Each file's own first line: combined.
        let mut validator = Validator::new(Settings::default());
        let a = format!("{}{poll}", header("complete"));
        let b = format!("\u{feff}\n{}", header("complete"));
        validator
            .read(a.as_bytes(), "a")
            .expect("a header at the start");
        validator
            .read(b.as_bytes(), "b")
            .expect("blank lines before a header");
        assert!(validator.judge().options().commands_complete);
        // In the middle of a file: refused, naming both lines.
        let mut validator = Validator::new(Settings::default());
        let c = format!("{}{poll}{}", header("partial"), header("partial"));
        let Err(stop) = validator.read(c.as_bytes(), "c") else {
            panic!("a second header must stop the reading");
        };
        assert_eq!(stop.line(), 3);
        assert!(
            stop.to_string()
                .starts_with("c:3: a second header (the first is on line 1)")
        );
        assert_eq!(validator.finish().verdict(), Verdict::Malformed);
    }
}
