//! The validator's reading of files, each way a history arrives, pinned word for word: one
//! file and several, merged by time; headers and their contradictions; damage (bytes that
//! are not UTF-8, a cut last line, a reader that fails); reorder windows; shards; lone
//! lines; progress; and the verdict's order.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};

use super::*;
use crate::history::time::format_time;

/// 2025-03-01T10:00:00Z.
const T0: i64 = 1_740_823_200_000;

fn poll(job: &str, s: i64, status: &str) -> String {
    format!(
        r#"{{"kind":"status","job":"{job}","t":{},"status":"{status}"}}"#,
        T0 + s * 1000
    )
}

fn command(job: &str, s: i64, op: &str, answer: &str) -> String {
    format!(
        r#"{{"kind":"command","job":"{job}","t":{},"op":"{op}","answer":"{answer}"}}"#,
        T0 + s * 1000
    )
}

fn header(fields: &str) -> String {
    format!(r#"{{"kind":"header","format":"drs-lifecycle history 2"{fields}}}"#)
}

fn file(lines: &[String]) -> Vec<u8> {
    let mut out = lines.join("\n").into_bytes();
    out.push(b'\n');
    out
}

/// A reader that fails after its first `good` bytes, as a damaged `.gz` does.
struct Cut {
    data: Vec<u8>,
    at: usize,
    good: usize,
}

impl Read for Cut {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at >= self.data.len() {
            return Ok(0);
        }
        if self.at >= self.good {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "corrupt deflate stream",
            ));
        }
        let n = buf.len().min(self.good - self.at).min(7);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

fn cut(data: Vec<u8>, good: usize) -> Box<dyn BufRead> {
    Box::new(BufReader::with_capacity(16, Cut { data, at: 0, good }))
}

fn plain(data: Vec<u8>) -> Box<dyn BufRead> {
    Box::new(BufReader::new(std::io::Cursor::new(data)))
}

fn report(outcome: &Outcome) -> String {
    let mut out = String::new();
    let options = outcome.judge.options();
    writeln!(
        out,
        "verdict {} | read {} judged {} ({} polls, {} jobs) malformed {} other shards {} \
         not judged {} until {:?}",
        outcome.verdict().name(),
        outcome.records_read(),
        outcome.judge.counts.records,
        outcome.judge.counts.polls,
        outcome.judge.job_count(),
        outcome.malformed,
        outcome.skipped_other_shards,
        outcome.not_judged,
        outcome.judged_until.map(format_time),
    )
    .unwrap();
    writeln!(
        out,
        "options: commands complete {}, billing recorded {}, apply within {:?}",
        options.commands_complete, options.billing_recorded, options.apply_within
    )
    .unwrap();
    if let Some(first) = &outcome.first_malformed {
        writeln!(out, "first malformed: {first}").unwrap();
    }
    for stop in &outcome.stops {
        writeln!(
            out,
            "stop {} at {}:{}: {} [{stop}]",
            stop.kind(),
            stop.file(),
            stop.line(),
            stop.what()
        )
        .unwrap();
    }
    for v in &outcome.judge.violations {
        writeln!(
            out,
            "violation {} {:?} at {}: {}",
            v.job,
            v.claim,
            outcome.place(v.record.line),
            v.record.what
        )
        .unwrap();
    }
    for s in &outcome.judge.stuck {
        writeln!(
            out,
            "stuck {} {} from {} to {}",
            s.job,
            s.code,
            outcome.place(s.first_line),
            outcome.place(s.last_line)
        )
        .unwrap();
    }
    out
}

fn read_each(settings: Settings, files: Vec<(&str, Box<dyn BufRead>)>) -> String {
    let mut validator = Validator::new(settings);
    let mut out = String::new();
    for (name, reader) in files {
        if let Err(stop) = validator.read(reader, name) {
            writeln!(out, "{name} stopped: {stop}").unwrap();
        }
    }
    out + &report(&validator.finish())
}

fn merged(settings: Settings, files: Vec<(&str, Box<dyn BufRead>)>) -> String {
    let mut validator = Validator::new(settings);
    let mut out = String::new();
    let inputs = files
        .into_iter()
        .map(|(name, reader)| (reader, name.to_string()))
        .collect();
    if let Err(stop) = validator.read_merged(inputs, |_, _| {}) {
        writeln!(out, "first stop: {stop}").unwrap();
    }
    out + &report(&validator.finish())
}

fn incremental(job: &str, s: i64) -> String {
    format!(
        r#"{{"kind":"status","job":"{job}","t":{},"status":"INCRE_TRANSFER_STARTED","mode":"FULL_INCR_TRANS","account":"acct-1"}}"#,
        T0 + s * 1000
    )
}

#[test]
fn one_file_with_a_mark_windows_line_ends_and_blank_lines() {
    let mut data = "\u{feff}".as_bytes().to_vec();
    data.extend(
        [
            header(r#","commands":"complete""#),
            String::new(),
            incremental("a", 0),
            "   ".to_string(),
            command("a", 10, "pause", "accepted"),
            poll("a", 20, "PAUSING"),
        ]
        .join("\r\n")
        .into_bytes(),
    );
    data.extend(b"\r\n\r\n");
    expect_test::expect![[r#"
        verdict consistent | read 3 judged 3 (2 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete true, billing recorded false, apply within None
    "#]]
    .assert_eq(&read_each(
        Settings::default(),
        vec![("one.jsonl", plain(data))],
    ));
}

#[test]
fn a_second_header_and_a_late_header_are_contradictions() {
    let second = file(&[header(""), header(""), incremental("a", 0)]);
    let late = file(&[incremental("a", 0), header(""), poll("a", 5, "PAUSING")]);
    let mut out = read_each(
        Settings::default(),
        vec![("second.jsonl", plain(second.clone()))],
    );
    out += &read_each(
        Settings::default(),
        vec![("late.jsonl", plain(late.clone()))],
    );
    let keep = Settings {
        keep_going: true,
        ..Settings::default()
    };
    out += &read_each(
        keep.clone(),
        vec![("second.jsonl", plain(second)), ("late.jsonl", plain(late))],
    );
    expect_test::expect![[r#"
        second.jsonl stopped: second.jsonl:2: a second header (the first is on line 1): a history states its header once, on the first line of each file; remove this one, or split the file here and name both files
        verdict malformed | read 0 judged 0 (0 polls, 0 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        stop contradiction at second.jsonl:2: a second header (the first is on line 1): a history states its header once, on the first line of each file; remove this one, or split the file here and name both files [second.jsonl:2: a second header (the first is on line 1): a history states its header once, on the first line of each file; remove this one, or split the file here and name both files]
        late.jsonl stopped: late.jsonl:2: a header after records (the first is on line 1): a header states what the whole file is, so it must be the file's first record; move it there
        verdict malformed | read 1 judged 1 (1 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until Some("2025-03-01T10:00:00Z")
        options: commands complete false, billing recorded false, apply within None
        stop contradiction at late.jsonl:2: a header after records (the first is on line 1): a header states what the whole file is, so it must be the file's first record; move it there [late.jsonl:2: a header after records (the first is on line 1): a header states what the whole file is, so it must be the file's first record; move it there]
        verdict malformed | read 3 judged 3 (3 polls, 1 jobs) malformed 2 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        first malformed: second.jsonl:2: a second header (the first is on line 1): a history states its header once, on the first line of each file; remove this one, or split the file here and name both files
    "#]].assert_eq(&out);
}

#[test]
fn the_headers_of_files_agree_unless_the_command_line_decides() {
    let pairs = [
        (r#","commands":"complete""#, r#","commands":"partial""#),
        (r#","billing":"recorded""#, r#","billing":"unrecorded""#),
        (r#","apply_within":"2m""#, r#","apply_within":"5m""#),
        (r#","apply_within":"2m""#, r#","apply_within":"none""#),
        (r#","commands":"complete""#, ""),
        (
            r#","apply_within":"2m","billing":"recorded""#,
            r#","apply_within":"2m""#,
        ),
    ];
    let mut out = String::new();
    for (first, second) in pairs {
        let files = || {
            vec![
                (
                    "a.jsonl",
                    plain(file(&[header(first), incremental("a", 0)])),
                ),
                (
                    "b.jsonl",
                    plain(file(&[header(second), incremental("b", 1)])),
                ),
            ]
        };
        writeln!(out, "== {first} then {second}").unwrap();
        out += &read_each(Settings::default(), files());
        writeln!(out, "-- the command line decides").unwrap();
        out += &read_each(
            Settings {
                commands_complete: Some(false),
                billing_recorded: Some(true),
                apply_within: Some(None),
                ..Settings::default()
            },
            files(),
        );
        writeln!(out, "-- merged").unwrap();
        out += &merged(Settings::default(), files());
    }
    expect_test::expect![[r#"
        == ,"commands":"complete" then ,"commands":"partial"
        b.jsonl stopped: b.jsonl:1: this header states commands partial, but the header on a.jsonl:1 states complete: the files of one history must agree; correct one, or decide on the command line with --commands
        verdict malformed | read 1 judged 1 (1 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete true, billing recorded false, apply within None
        stop contradiction at b.jsonl:1: this header states commands partial, but the header on a.jsonl:1 states complete: the files of one history must agree; correct one, or decide on the command line with --commands [b.jsonl:1: this header states commands partial, but the header on a.jsonl:1 states complete: the files of one history must agree; correct one, or decide on the command line with --commands]
        -- the command line decides
        verdict consistent | read 2 judged 2 (2 polls, 2 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded true, apply within None
        -- merged
        first stop: b.jsonl:1: this header states commands partial, but the header on a.jsonl:1 states complete: the files of one history must agree; correct one, or decide on the command line with --commands
        verdict malformed | read 1 judged 0 (0 polls, 0 jobs) malformed 0 other shards 0 not judged 1 until Some("1999-12-31T23:59:59.999Z")
        options: commands complete true, billing recorded false, apply within None
        stop contradiction at b.jsonl:1: this header states commands partial, but the header on a.jsonl:1 states complete: the files of one history must agree; correct one, or decide on the command line with --commands [b.jsonl:1: this header states commands partial, but the header on a.jsonl:1 states complete: the files of one history must agree; correct one, or decide on the command line with --commands]
        == ,"billing":"recorded" then ,"billing":"unrecorded"
        b.jsonl stopped: b.jsonl:1: this header states billing unrecorded, but the header on a.jsonl:1 states recorded: the files of one history must agree; correct one, or decide on the command line with --billing
        verdict malformed | read 1 judged 1 (1 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded true, apply within None
        stop contradiction at b.jsonl:1: this header states billing unrecorded, but the header on a.jsonl:1 states recorded: the files of one history must agree; correct one, or decide on the command line with --billing [b.jsonl:1: this header states billing unrecorded, but the header on a.jsonl:1 states recorded: the files of one history must agree; correct one, or decide on the command line with --billing]
        -- the command line decides
        verdict consistent | read 2 judged 2 (2 polls, 2 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded true, apply within None
        -- merged
        first stop: b.jsonl:1: this header states billing unrecorded, but the header on a.jsonl:1 states recorded: the files of one history must agree; correct one, or decide on the command line with --billing
        verdict malformed | read 1 judged 0 (0 polls, 0 jobs) malformed 0 other shards 0 not judged 1 until Some("1999-12-31T23:59:59.999Z")
        options: commands complete false, billing recorded true, apply within None
        stop contradiction at b.jsonl:1: this header states billing unrecorded, but the header on a.jsonl:1 states recorded: the files of one history must agree; correct one, or decide on the command line with --billing [b.jsonl:1: this header states billing unrecorded, but the header on a.jsonl:1 states recorded: the files of one history must agree; correct one, or decide on the command line with --billing]
        == ,"apply_within":"2m" then ,"apply_within":"5m"
        b.jsonl stopped: b.jsonl:1: this header states apply_within 5 min 0 s, but the header on a.jsonl:1 states 2 min 0 s: the files of one history must agree; correct one, or decide on the command line with --apply-within
        verdict malformed | read 1 judged 1 (1 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within Some(120000)
        stop contradiction at b.jsonl:1: this header states apply_within 5 min 0 s, but the header on a.jsonl:1 states 2 min 0 s: the files of one history must agree; correct one, or decide on the command line with --apply-within [b.jsonl:1: this header states apply_within 5 min 0 s, but the header on a.jsonl:1 states 2 min 0 s: the files of one history must agree; correct one, or decide on the command line with --apply-within]
        -- the command line decides
        verdict consistent | read 2 judged 2 (2 polls, 2 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded true, apply within None
        -- merged
        first stop: b.jsonl:1: this header states apply_within 5 min 0 s, but the header on a.jsonl:1 states 2 min 0 s: the files of one history must agree; correct one, or decide on the command line with --apply-within
        verdict malformed | read 1 judged 0 (0 polls, 0 jobs) malformed 0 other shards 0 not judged 1 until Some("1999-12-31T23:59:59.999Z")
        options: commands complete false, billing recorded false, apply within Some(120000)
        stop contradiction at b.jsonl:1: this header states apply_within 5 min 0 s, but the header on a.jsonl:1 states 2 min 0 s: the files of one history must agree; correct one, or decide on the command line with --apply-within [b.jsonl:1: this header states apply_within 5 min 0 s, but the header on a.jsonl:1 states 2 min 0 s: the files of one history must agree; correct one, or decide on the command line with --apply-within]
        == ,"apply_within":"2m" then ,"apply_within":"none"
        b.jsonl stopped: b.jsonl:1: bad apply_within "none": expected a duration such as 90s, 15m or 1h
        verdict malformed | read 1 judged 1 (1 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within Some(120000)
        stop malformed at b.jsonl:1: bad apply_within "none": expected a duration such as 90s, 15m or 1h [b.jsonl:1: bad apply_within "none": expected a duration such as 90s, 15m or 1h]
        -- the command line decides
        b.jsonl stopped: b.jsonl:1: bad apply_within "none": expected a duration such as 90s, 15m or 1h
        verdict malformed | read 1 judged 1 (1 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded true, apply within None
        stop malformed at b.jsonl:1: bad apply_within "none": expected a duration such as 90s, 15m or 1h [b.jsonl:1: bad apply_within "none": expected a duration such as 90s, 15m or 1h]
        -- merged
        first stop: b.jsonl:1: bad apply_within "none": expected a duration such as 90s, 15m or 1h
        verdict malformed | read 1 judged 0 (0 polls, 0 jobs) malformed 0 other shards 0 not judged 1 until Some("1999-12-31T23:59:59.999Z")
        options: commands complete false, billing recorded false, apply within Some(120000)
        stop malformed at b.jsonl:1: bad apply_within "none": expected a duration such as 90s, 15m or 1h [b.jsonl:1: bad apply_within "none": expected a duration such as 90s, 15m or 1h]
        == ,"commands":"complete" then 
        verdict consistent | read 2 judged 2 (2 polls, 2 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete true, billing recorded false, apply within None
        -- the command line decides
        verdict consistent | read 2 judged 2 (2 polls, 2 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded true, apply within None
        -- merged
        verdict consistent | read 2 judged 2 (2 polls, 2 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete true, billing recorded false, apply within None
        == ,"apply_within":"2m","billing":"recorded" then ,"apply_within":"2m"
        verdict consistent | read 2 judged 2 (2 polls, 2 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded true, apply within Some(120000)
        -- the command line decides
        verdict consistent | read 2 judged 2 (2 polls, 2 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded true, apply within None
        -- merged
        verdict consistent | read 2 judged 2 (2 polls, 2 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded true, apply within Some(120000)
    "#]].assert_eq(&out);
}

#[test]
fn damaged_input_stops_where_it_is_damaged_and_keeps_what_came_before() {
    let mut not_utf8 = file(&[incremental("a", 0)]);
    not_utf8.extend(b"{\"kind\":\"status\",\"job\":\"a\xff\"}\n");
    not_utf8.extend(file(&[poll("a", 5, "PAUSING")]));
    let mut cut_line = file(&[incremental("a", 0)]);
    cut_line.extend(br#"{"kind":"status","job":"a","t":17408232"#);
    let whole = file(&[
        incremental("a", 0),
        poll("a", 10, "INCRE_TRANSFER_STARTED"),
        poll("a", 20, "CREATING"),
    ]);
    let mut out = String::new();
    for keep_going in [false, true] {
        let settings = Settings {
            keep_going,
            ..Settings::default()
        };
        writeln!(out, "== keep going {keep_going}").unwrap();
        out += &read_each(
            settings.clone(),
            vec![("bytes.jsonl", plain(not_utf8.clone()))],
        );
        out += &read_each(
            settings.clone(),
            vec![("cut.jsonl", plain(cut_line.clone()))],
        );
        out += &merged(
            settings.clone(),
            vec![("cut.jsonl", plain(cut_line.clone()))],
        );
        out += &merged(
            settings.clone(),
            vec![("bytes.jsonl", plain(not_utf8.clone()))],
        );
        // The reader fails inside the third line: the first two are judged.
        let good = whole.len() - 10;
        out += &read_each(
            settings.clone(),
            vec![("gz.jsonl", cut(whole.clone(), good))],
        );
        // Read after a file that stopped, a file is judged only up to the stop's time.
        let later = file(&[incremental("b", 5), poll("b", 15, "INCRE_TRANSFER_STARTED")]);
        out += &read_each(
            settings.clone(),
            vec![
                ("gz.jsonl", cut(whole.clone(), good)),
                ("later.jsonl", plain(later)),
            ],
        );
        // The violation on the third line is kept whatever else went wrong.
        out += &read_each(
            settings,
            vec![
                ("whole.jsonl", plain(whole.clone())),
                ("gz.jsonl", cut(whole.clone(), 3)),
            ],
        );
    }
    expect_test::expect![[r#"
        == keep going false
        bytes.jsonl stopped: bytes.jsonl:2: not a history record: not UTF-8 (byte 26 of the line); save the history as UTF-8
        verdict malformed | read 1 judged 1 (1 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until Some("2025-03-01T10:00:00Z")
        options: commands complete false, billing recorded false, apply within None
        stop malformed at bytes.jsonl:2: not a history record: not UTF-8 (byte 26 of the line); save the history as UTF-8 [bytes.jsonl:2: not a history record: not UTF-8 (byte 26 of the line); save the history as UTF-8]
        cut.jsonl stopped: cut.jsonl:2: not a history record: EOF while parsing an object (column 39); this last line has no end of line: the file was probably cut short
        verdict malformed | read 1 judged 1 (1 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until Some("2025-03-01T10:00:00Z")
        options: commands complete false, billing recorded false, apply within None
        stop malformed at cut.jsonl:2: not a history record: EOF while parsing an object (column 39); this last line has no end of line: the file was probably cut short [cut.jsonl:2: not a history record: EOF while parsing an object (column 39); this last line has no end of line: the file was probably cut short]
        first stop: cut.jsonl:2: not a history record: EOF while parsing an object (column 39); this last line has no end of line: the file was probably cut short
        verdict malformed | read 1 judged 1 (1 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until Some("2025-03-01T10:00:00Z")
        options: commands complete false, billing recorded false, apply within None
        stop malformed at cut.jsonl:2: not a history record: EOF while parsing an object (column 39); this last line has no end of line: the file was probably cut short [cut.jsonl:2: not a history record: EOF while parsing an object (column 39); this last line has no end of line: the file was probably cut short]
        first stop: bytes.jsonl:2: not a history record: not UTF-8 (byte 26 of the line); save the history as UTF-8
        verdict malformed | read 1 judged 1 (1 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until Some("2025-03-01T10:00:00Z")
        options: commands complete false, billing recorded false, apply within None
        stop malformed at bytes.jsonl:2: not a history record: not UTF-8 (byte 26 of the line); save the history as UTF-8 [bytes.jsonl:2: not a history record: not UTF-8 (byte 26 of the line); save the history as UTF-8]
        gz.jsonl stopped: gz.jsonl:3: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged
        verdict malformed | read 2 judged 2 (2 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until Some("2025-03-01T10:00:10Z")
        options: commands complete false, billing recorded false, apply within None
        stop unreadable at gz.jsonl:3: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged [gz.jsonl:3: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged]
        gz.jsonl stopped: gz.jsonl:3: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged
        verdict malformed | read 4 judged 3 (3 polls, 2 jobs) malformed 0 other shards 0 not judged 1 until Some("2025-03-01T10:00:10Z")
        options: commands complete false, billing recorded false, apply within None
        stop unreadable at gz.jsonl:3: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged [gz.jsonl:3: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged]
        gz.jsonl stopped: gz.jsonl:1: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged
        verdict violations | read 3 judged 3 (3 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        stop unreadable at gz.jsonl:1: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged [gz.jsonl:1: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged]
        violation a "every step is in the transition table" at whole.jsonl:3: status CREATING
        == keep going true
        verdict malformed | read 2 judged 2 (2 polls, 1 jobs) malformed 1 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        first malformed: bytes.jsonl:2: not a history record: not UTF-8 (byte 26 of the line); save the history as UTF-8
        verdict malformed | read 1 judged 1 (1 polls, 1 jobs) malformed 1 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        first malformed: cut.jsonl:2: not a history record: EOF while parsing an object (column 39); this last line has no end of line: the file was probably cut short
        verdict malformed | read 1 judged 1 (1 polls, 1 jobs) malformed 1 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        first malformed: cut.jsonl:2: not a history record: EOF while parsing an object (column 39); this last line has no end of line: the file was probably cut short
        verdict malformed | read 2 judged 2 (2 polls, 1 jobs) malformed 1 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        first malformed: bytes.jsonl:2: not a history record: not UTF-8 (byte 26 of the line); save the history as UTF-8
        gz.jsonl stopped: gz.jsonl:3: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged
        verdict malformed | read 2 judged 2 (2 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until Some("2025-03-01T10:00:10Z")
        options: commands complete false, billing recorded false, apply within None
        stop unreadable at gz.jsonl:3: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged [gz.jsonl:3: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged]
        gz.jsonl stopped: gz.jsonl:3: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged
        verdict malformed | read 4 judged 3 (3 polls, 2 jobs) malformed 0 other shards 0 not judged 1 until Some("2025-03-01T10:00:10Z")
        options: commands complete false, billing recorded false, apply within None
        stop unreadable at gz.jsonl:3: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged [gz.jsonl:3: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged]
        gz.jsonl stopped: gz.jsonl:1: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged
        verdict violations | read 3 judged 3 (3 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        stop unreadable at gz.jsonl:1: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged [gz.jsonl:1: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged]
        violation a "every step is in the transition table" at whole.jsonl:3: status CREATING
    "#]].assert_eq(&out);
}

#[test]
fn merged_files_are_judged_in_time_order_up_to_the_damage() {
    // At one instant, the command in one file comes before the poll in another (with every
    // command recorded, the poll first would be a violation).
    let polls = file(&[
        header(r#","commands":"complete""#),
        incremental("a", 0),
        poll("a", 10, "PAUSING"),
        poll("a", 30, "PAUSING"),
    ]);
    let commands = file(&[
        command("a", 10, "pause", "accepted"),
        command("a", 40, "restart", "accepted"),
    ]);
    let mut out = merged(
        Settings::default(),
        vec![
            ("polls.jsonl", plain(polls.clone())),
            ("commands.jsonl", plain(commands.clone())),
        ],
    );
    // One file cut after its first record: the other is judged only up to that time.
    let other = file(&[
        incremental("b", 0),
        poll("b", 5, "INCRE_TRANSFER_STARTED"),
        poll("b", 50, "INCRE_TRANSFER_STARTED"),
        poll("b", 60, "INCRE_TRANSFER_STARTED"),
    ]);
    let ends: Vec<usize> = (0..polls.len()).filter(|&i| polls[i] == b'\n').collect();
    out += &merged(
        Settings::default(),
        vec![
            ("polls.jsonl", cut(polls.clone(), ends[1] + 5)),
            ("other.jsonl", plain(other)),
        ],
    );
    // With a reorder window, what the other files' windows hold past the damage is counted
    // as not judged too.
    let windowed = Settings {
        reorder_window: Some(150_000),
        ..Settings::default()
    };
    let long = file(&[
        incremental("d", 0),
        poll("d", 100, "INCRE_TRANSFER_STARTED"),
        poll("d", 200, "INCRE_TRANSFER_STARTED"),
        poll("d", 210, "INCRE_TRANSFER_STARTED"),
        poll("d", 220, "INCRE_TRANSFER_STARTED"),
    ]);
    let short = file(&[
        incremental("e", 0),
        poll("e", 50, "INCRE_TRANSFER_STARTED"),
        poll("e", 300, "INCRE_TRANSFER_STARTED"),
    ]);
    let second_line = short.iter().position(|b| *b == b'\n').unwrap() + 1;
    let cut_at = second_line
        + short[second_line..]
            .iter()
            .position(|b| *b == b'\n')
            .unwrap()
        + 1;
    out += &merged(
        windowed,
        vec![
            ("short.jsonl", cut(short, cut_at + 4)),
            ("long.jsonl", plain(long)),
        ],
    );
    // A job's records in two files out of time order.
    out += &merged(
        Settings::default(),
        vec![
            (
                "early.jsonl",
                plain(file(&[incremental("c", 0), poll("c", 100, "PAUSING")])),
            ),
            (
                "late.jsonl",
                plain(file(&[command("c", 50, "pause", "accepted")])),
            ),
        ],
    );
    out += &merged(
        Settings {
            keep_going: true,
            ..Settings::default()
        },
        vec![
            (
                "a.jsonl",
                plain(file(&[incremental("c", 0), poll("c", 100, "CREATING")])),
            ),
            (
                "b.jsonl",
                plain(file(&[poll("c", 50, "INCRE_TRANSFER_STARTED")])),
            ),
        ],
    );
    expect_test::expect![[r#"
        verdict consistent | read 5 judged 5 (3 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete true, billing recorded false, apply within None
        first stop: polls.jsonl:3: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged
        verdict malformed | read 3 judged 2 (2 polls, 2 jobs) malformed 0 other shards 0 not judged 1 until Some("2025-03-01T10:00:00Z")
        options: commands complete true, billing recorded false, apply within None
        stop unreadable at polls.jsonl:3: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged [polls.jsonl:3: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged]
        first stop: short.jsonl:3: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged
        verdict malformed | read 7 judged 3 (3 polls, 2 jobs) malformed 0 other shards 0 not judged 4 until Some("2025-03-01T10:00:50Z")
        options: commands complete false, billing recorded false, apply within None
        stop unreadable at short.jsonl:3: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged [short.jsonl:3: cannot be read from here on (corrupt deflate stream): the file is cut short or damaged; what comes before was judged]
        verdict consistent | read 3 judged 3 (2 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        verdict violations | read 3 judged 3 (3 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        violation c "every step is in the transition table" at a.jsonl:2: status CREATING
    "#]].assert_eq(&out);
}

#[test]
fn a_reorder_window_sorts_within_it_and_refuses_beyond_it() {
    let lines = file(&[
        incremental("a", 0),
        poll("a", 100, "PAUSING"),
        command("a", 70, "pause", "accepted"),
        poll("a", 200, "PAUSING"),
        poll("a", 60, "INCRE_TRANSFER_STARTED"),
    ]);
    let mut out = String::new();
    for window in [None, Some(40_000), Some(150_000)] {
        for keep_going in [false, true] {
            writeln!(out, "== window {window:?}, keep going {keep_going}").unwrap();
            let settings = Settings {
                reorder_window: window,
                keep_going,
                ..Settings::default()
            };
            out += &read_each(settings.clone(), vec![("w.jsonl", plain(lines.clone()))]);
            writeln!(out, "-- merged with another").unwrap();
            out += &merged(
                settings,
                vec![
                    ("w.jsonl", plain(lines.clone())),
                    (
                        "x.jsonl",
                        plain(file(&[incremental("x", 0), poll("x", 150, "PAUSING")])),
                    ),
                ],
            );
        }
    }
    expect_test::expect![[r#"
        == window None, keep going false
        w.jsonl stopped: w.jsonl:3: job a at 2025-03-01T10:01:10Z is earlier than its record on line 2 at 2025-03-01T10:01:40Z: a job's records must be in time order (--reorder-window allows a bounded reordering)
        verdict malformed | read 3 judged 3 (2 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until Some("2025-03-01T10:01:40Z")
        options: commands complete false, billing recorded false, apply within None
        stop malformed at w.jsonl:3: job a at 2025-03-01T10:01:10Z is earlier than its record on line 2 at 2025-03-01T10:01:40Z: a job's records must be in time order (--reorder-window allows a bounded reordering) [w.jsonl:3: job a at 2025-03-01T10:01:10Z is earlier than its record on line 2 at 2025-03-01T10:01:40Z: a job's records must be in time order (--reorder-window allows a bounded reordering)]
        -- merged with another
        first stop: w.jsonl:3: job a at 2025-03-01T10:01:10Z is earlier than its record on line 2 at 2025-03-01T10:01:40Z: a job's records must be in time order (--reorder-window allows a bounded reordering)
        verdict malformed | read 5 judged 4 (3 polls, 2 jobs) malformed 0 other shards 0 not judged 1 until Some("2025-03-01T10:01:40Z")
        options: commands complete false, billing recorded false, apply within None
        stop malformed at w.jsonl:3: job a at 2025-03-01T10:01:10Z is earlier than its record on line 2 at 2025-03-01T10:01:40Z: a job's records must be in time order (--reorder-window allows a bounded reordering) [w.jsonl:3: job a at 2025-03-01T10:01:10Z is earlier than its record on line 2 at 2025-03-01T10:01:40Z: a job's records must be in time order (--reorder-window allows a bounded reordering)]
        == window None, keep going true
        verdict malformed | read 5 judged 5 (4 polls, 1 jobs) malformed 2 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        first malformed: w.jsonl:3: job a at 2025-03-01T10:01:10Z is earlier than its record on line 2 at 2025-03-01T10:01:40Z: a job's records must be in time order (--reorder-window allows a bounded reordering)
        -- merged with another
        verdict malformed | read 7 judged 7 (6 polls, 2 jobs) malformed 2 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        first malformed: w.jsonl:3: job a at 2025-03-01T10:01:10Z is earlier than its record on line 2 at 2025-03-01T10:01:40Z: a job's records must be in time order (--reorder-window allows a bounded reordering)
        == window Some(40000), keep going false
        w.jsonl stopped: w.jsonl:5: job a at 2025-03-01T10:01:00Z is earlier than its record on line 2 at 2025-03-01T10:01:40Z: a job's records must be in time order (--reorder-window allows a bounded reordering)
        verdict malformed | read 5 judged 5 (4 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until Some("2025-03-01T10:03:20Z")
        options: commands complete false, billing recorded false, apply within None
        stop malformed at w.jsonl:5: job a at 2025-03-01T10:01:00Z is earlier than its record on line 2 at 2025-03-01T10:01:40Z: a job's records must be in time order (--reorder-window allows a bounded reordering) [w.jsonl:5: job a at 2025-03-01T10:01:00Z is earlier than its record on line 2 at 2025-03-01T10:01:40Z: a job's records must be in time order (--reorder-window allows a bounded reordering)]
        -- merged with another
        first stop: w.jsonl:5: job a at 2025-03-01T10:01:00Z is earlier than its record on line 2 at 2025-03-01T10:01:40Z: a job's records must be in time order (--reorder-window allows a bounded reordering)
        verdict malformed | read 7 judged 7 (6 polls, 2 jobs) malformed 0 other shards 0 not judged 0 until Some("2025-03-01T10:03:20Z")
        options: commands complete false, billing recorded false, apply within None
        stop malformed at w.jsonl:5: job a at 2025-03-01T10:01:00Z is earlier than its record on line 2 at 2025-03-01T10:01:40Z: a job's records must be in time order (--reorder-window allows a bounded reordering) [w.jsonl:5: job a at 2025-03-01T10:01:00Z is earlier than its record on line 2 at 2025-03-01T10:01:40Z: a job's records must be in time order (--reorder-window allows a bounded reordering)]
        == window Some(40000), keep going true
        verdict malformed | read 5 judged 5 (4 polls, 1 jobs) malformed 1 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        first malformed: w.jsonl:5: job a at 2025-03-01T10:01:00Z is earlier than its record on line 2 at 2025-03-01T10:01:40Z: a job's records must be in time order (--reorder-window allows a bounded reordering)
        -- merged with another
        verdict malformed | read 7 judged 7 (6 polls, 2 jobs) malformed 1 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        first malformed: w.jsonl:5: job a at 2025-03-01T10:01:00Z is earlier than its record on line 2 at 2025-03-01T10:01:40Z: a job's records must be in time order (--reorder-window allows a bounded reordering)
        == window Some(150000), keep going false
        verdict consistent | read 5 judged 5 (4 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        -- merged with another
        verdict consistent | read 7 judged 7 (6 polls, 2 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        == window Some(150000), keep going true
        verdict consistent | read 5 judged 5 (4 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        -- merged with another
        verdict consistent | read 7 judged 7 (6 polls, 2 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
    "#]].assert_eq(&out);
}

#[test]
fn shards_judge_their_own_jobs_and_count_the_others() {
    let mut lines = vec![header("")];
    for j in 0..6 {
        lines.push(incremental(&format!("job-{j}"), j));
    }
    lines.push(format!(
        r#"{{"kind":"batch_status","t":{},"response":{{"count":6,"results":[{}]}}}}"#,
        T0 + 10_000,
        (0..6)
            .map(|j| {
                let status = if j < 4 {
                    "INCRE_TRANSFER_STARTED"
                } else {
                    "CREATING"
                };
                format!(r#"{{"id":"job-{j}","status":"{status}"}}"#)
            })
            .collect::<Vec<_>>()
            .join(",")
    ));
    lines.push(poll("job-0", 20, "CREATING"));
    lines.push(poll("job-1", 20, "CREATING"));
    let data = file(&lines);
    let mut out = String::new();
    for shard in [None, Some((0, 2)), Some((1, 2)), Some((2, 3))] {
        writeln!(out, "== shard {shard:?}").unwrap();
        out += &read_each(
            Settings {
                shard,
                ..Settings::default()
            },
            vec![("s.jsonl", plain(data.clone()))],
        );
    }
    let hashes: Vec<u64> = (0..6).map(|j| job_hash(&format!("job-{j}")) % 2).collect();
    writeln!(out, "hashes mod 2: {hashes:?}").unwrap();
    expect_test::expect![[r#"
        == shard None
        verdict violations | read 9 judged 9 (14 polls, 6 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        violation job-4 "every step is in the transition table" at s.jsonl:8: status CREATING
        violation job-5 "every step is in the transition table" at s.jsonl:8: status CREATING
        violation job-0 "every step is in the transition table" at s.jsonl:9: status CREATING
        violation job-1 "every step is in the transition table" at s.jsonl:10: status CREATING
        == shard Some((0, 2))
        verdict violations | read 9 judged 5 (7 polls, 3 jobs) malformed 0 other shards 4 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        violation job-5 "every step is in the transition table" at s.jsonl:8: status CREATING
        violation job-1 "every step is in the transition table" at s.jsonl:10: status CREATING
        == shard Some((1, 2))
        verdict violations | read 9 judged 5 (7 polls, 3 jobs) malformed 0 other shards 4 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        violation job-4 "every step is in the transition table" at s.jsonl:8: status CREATING
        violation job-0 "every step is in the transition table" at s.jsonl:9: status CREATING
        == shard Some((2, 3))
        verdict violations | read 9 judged 3 (4 polls, 2 jobs) malformed 0 other shards 6 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        violation job-4 "every step is in the transition table" at s.jsonl:8: status CREATING
        hashes mod 2: [1, 0, 1, 0, 1, 0]
    "#]]
    .assert_eq(&out);
}

#[test]
fn lone_lines_are_judged_in_their_files() {
    let mut validator = Validator::new(Settings::default());
    let mut out = String::new();
    let lines = [
        (1, "lone.jsonl", header(r#","commands":"complete""#)),
        (2, "lone.jsonl", incremental("a", 0)),
        (3, "lone.jsonl", command("a", 5, "pause", "accepted")),
        (4, "other.jsonl", poll("a", 10, "PAUSING")),
        (5, "lone.jsonl", header("")),
        (6, "lone.jsonl", "not json".to_string()),
        (7, "lone.jsonl", "  ".to_string()),
        (1, "third.jsonl", header("")),
        (8, "lone.jsonl", poll("a", 1, "CREATING")),
    ];
    for (line, name, text) in lines {
        let result = validator.line(text.as_bytes(), line, name);
        writeln!(
            out,
            "{name}:{line} -> {:?}",
            result.map_err(|e| e.to_string())
        )
        .unwrap();
    }
    out += &report(&validator.finish());
    expect_test::expect![[r#"
        lone.jsonl:1 -> Ok(())
        lone.jsonl:2 -> Ok(())
        lone.jsonl:3 -> Ok(())
        other.jsonl:4 -> Ok(())
        lone.jsonl:5 -> Err("lone.jsonl:5: a header after records (the first is on line 1): a header states what the whole file is, so it must be the file's first record; move it there")
        lone.jsonl:6 -> Err("lone.jsonl:6: not a history record: expected ident (column 2)")
        lone.jsonl:7 -> Ok(())
        third.jsonl:1 -> Ok(())
        lone.jsonl:8 -> Err("lone.jsonl:8: job a at 2025-03-01T10:00:01Z is earlier than its record on other.jsonl:4 at 2025-03-01T10:00:10Z: each file is merged by time, so it must be in time order itself (--reorder-window allows a bounded reordering within a file)")
        verdict consistent | read 4 judged 4 (3 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete true, billing recorded false, apply within None
    "#]].assert_eq(&out);
}

#[test]
fn progress_is_told_every_65536_lines() {
    let mut lines = vec![incremental("p", 0)];
    for i in 1..70_000 {
        lines.push(poll("p", i, "INCRE_TRANSFER_STARTED"));
    }
    let data = file(&lines);
    let mut told = Vec::new();
    let mut validator = Validator::new(Settings::default());
    validator
        .read_with_progress(plain(data.clone()), "p.jsonl", |judge, line| {
            told.push((line, judge.counts.records));
        })
        .unwrap();
    assert_eq!(told, [(65_536, 65_536)]);
    let mut told = Vec::new();
    let mut validator = Validator::new(Settings::default());
    validator
        .read_merged(
            vec![(plain(data.clone()), "p.jsonl".to_string())],
            |judge, line| told.push((line, judge.counts.records)),
        )
        .unwrap();
    assert_eq!(told, [(65_536, 65_536)]);
    let mut told = 0;
    let mut validator = Validator::new(Settings {
        reorder_window: Some(1000),
        ..Settings::default()
    });
    validator
        .read_with_progress(plain(data), "p.jsonl", |_, line| {
            assert_eq!(line, 65_536);
            told += 1;
        })
        .unwrap();
    assert_eq!(told, 1);
    assert_eq!(validator.finish().judge.counts.records, 70_000);
}

#[test]
fn the_verdict_puts_violations_first_then_stuck_then_damage_then_emptiness() {
    let mut out = String::new();
    let deadlines = Settings {
        deadlines: Some(crate::history::deadline::Deadlines::default()),
        ..Settings::default()
    };
    let stuck = file(&[poll("s", 0, "STARTJOBING"), poll("s", 7200, "STARTJOBING")]);
    let violated = file(&[incremental("v", 0), poll("v", 10, "CREATING")]);
    for (name, settings, files) in [
        (
            "empty",
            Settings::default(),
            vec![("e.jsonl", plain(file(&[header("")])))],
        ),
        (
            "nothing",
            Settings::default(),
            vec![("n.jsonl", plain(Vec::new()))],
        ),
        (
            "consistent",
            Settings::default(),
            vec![("c.jsonl", plain(file(&[incremental("c", 0)])))],
        ),
        (
            "stuck",
            deadlines.clone(),
            vec![("s.jsonl", plain(stuck.clone()))],
        ),
        (
            "stuck and damaged",
            deadlines.clone(),
            vec![
                ("s.jsonl", plain(stuck.clone())),
                ("d.jsonl", plain(b"nope\n".to_vec())),
            ],
        ),
        (
            "violated, stuck and damaged",
            deadlines,
            vec![
                ("v.jsonl", plain(violated)),
                ("s.jsonl", plain(stuck)),
                ("d.jsonl", plain(b"nope\n".to_vec())),
            ],
        ),
        (
            "damaged only",
            Settings::default(),
            vec![("d.jsonl", plain(b"nope\n".to_vec()))],
        ),
    ] {
        writeln!(out, "== {name}").unwrap();
        out += &read_each(settings, files);
    }
    expect_test::expect![[r#"
        == empty
        verdict empty | read 0 judged 0 (0 polls, 0 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        == nothing
        verdict empty | read 0 judged 0 (0 polls, 0 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        == consistent
        verdict consistent | read 1 judged 1 (1 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        == stuck
        verdict stuck | read 2 judged 2 (2 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        stuck s STARTJOBING from s.jsonl:1 to s.jsonl:2
        == stuck and damaged
        d.jsonl stopped: d.jsonl:1: not a history record: expected ident (column 2)
        verdict stuck | read 2 judged 2 (2 polls, 1 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        stop malformed at d.jsonl:1: not a history record: expected ident (column 2) [d.jsonl:1: not a history record: expected ident (column 2)]
        stuck s STARTJOBING from s.jsonl:1 to s.jsonl:2
        == violated, stuck and damaged
        d.jsonl stopped: d.jsonl:1: not a history record: expected ident (column 2)
        verdict violations | read 4 judged 4 (4 polls, 2 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        stop malformed at d.jsonl:1: not a history record: expected ident (column 2) [d.jsonl:1: not a history record: expected ident (column 2)]
        violation v "every step is in the transition table" at v.jsonl:2: status CREATING
        stuck s STARTJOBING from s.jsonl:1 to s.jsonl:2
        == damaged only
        d.jsonl stopped: d.jsonl:1: not a history record: expected ident (column 2)
        verdict malformed | read 0 judged 0 (0 polls, 0 jobs) malformed 0 other shards 0 not judged 0 until None
        options: commands complete false, billing recorded false, apply within None
        stop malformed at d.jsonl:1: not a history record: expected ident (column 2) [d.jsonl:1: not a history record: expected ident (column 2)]
    "#]].assert_eq(&out);
}
