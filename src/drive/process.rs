//! The program under test as a child process: one JSON line out, one JSON line back.
//!
//! Everything a program can do wrong is turned into one [`DriveError`] line here, so the
//! driver never panics on what a program prints: it cannot be found, it exits before or
//! during a case (its exit status and the tail of its standard error), it stops answering
//! (a timeout), or it prints something that is not the answer expected. Its standard output
//! is read in chunks (whatever each read returns, split into lines here) with a timeout, so
//! that a silent program is noticed after the timeout instead of blocking the driver
//! forever: on Unix the driver's own thread waits in poll(2) and reads the pipe itself (no
//! hand-over between threads per chunk); elsewhere a thread reads it into a channel. Its
//! standard error is kept, last lines only, for the crash message.

use std::collections::VecDeque;
use std::fmt;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command as Spawn, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::Value;

/// How many lines of the program's standard error a crash message shows.
const STDERR_TAIL: usize = 5;

/// Why driving a program stopped: its fault, not a disagreement with the specification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DriveError {
    /// One line: what the program did and what was expected.
    pub message: String,
}

impl fmt::Display for DriveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DriveError {}

/// What came back for one request.
pub enum Reply<T> {
    /// The answer carrying the request's id, read as expected.
    Answer(T),
    /// A JSON object carrying the request's id that does not read as expected.
    Other(serde_json::Map<String, Value>),
    /// Nothing within the timeout.
    TimedOut,
}

/// An answer read straight into its type: it must carry the request's id.
pub trait Identified: serde::de::DeserializeOwned {
    /// The id the answer carries.
    fn id(&self) -> u64;
}

impl Identified for serde_json::Map<String, Value> {
    fn id(&self) -> u64 {
        // Not a number: no request has id 0, so the slow path says what is wrong.
        self.get("id").and_then(Value::as_u64).unwrap_or(0)
    }
}

/// A running program and the pipes to it.
pub struct Process {
    program: String,
    args: Vec<String>,
    /// Where the program's standard error is kept whole (`--stderr FILE`), appended to.
    keep: Option<std::path::PathBuf>,
    child: Child,
    stdin: BufWriter<ChildStdin>,
    stdout: Output,
    /// What the program wrote that is not read yet: `buffer[start..]`.
    buffer: Vec<u8>,
    start: usize,
    stderr: Arc<Mutex<VecDeque<String>>>,
    timeout: Duration,
    next_id: u64,
    /// The request being written (reused).
    line: Vec<u8>,
    /// Requests answered so far (to tell "exits at start" from "crashes mid-case").
    answered: u64,
    /// The requests written and not answered yet, oldest first: answers come in the order
    /// of the requests, so a program that hangs or dies is stuck on the oldest one, which
    /// is the one a message names, whichever answer the driver was waiting for (under
    /// protocol 2 it may wait for a request written long after the one that is slow).
    unanswered: VecDeque<(u64, &'static str)>,
}

impl Process {
    /// Starts `program` with `args`.
    pub fn start(program: &str, args: &[String], timeout: Duration) -> Result<Self, DriveError> {
        Process::start_keeping(program, args, timeout, None)
    }

    /// Starts `program` with `args`, appending its standard error to `keep` if given (the
    /// last lines are kept for messages either way).
    pub fn start_keeping(
        program: &str,
        args: &[String],
        timeout: Duration,
        keep: Option<&std::path::Path>,
    ) -> Result<Self, DriveError> {
        let mut kept = match keep {
            Some(path) => Some(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|error| DriveError {
                        message: format!(
                            "cannot open {} for the program's standard error: {error}",
                            path.display()
                        ),
                    })?,
            ),
            None => None,
        };
        let mut child = Spawn::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| DriveError {
                message: match error.kind() {
                    std::io::ErrorKind::NotFound => {
                        format!("program not found: {program} (give a path or a command on PATH)")
                    }
                    std::io::ErrorKind::PermissionDenied => {
                        format!("program {program} cannot be executed: permission denied")
                    }
                    _ => format!("cannot start {program}: {error}"),
                },
            })?;
        let missing = |what: &str| DriveError {
            message: format!("cannot open the {what} of {program}"),
        };
        let stdin = BufWriter::new(child.stdin.take().ok_or_else(|| missing("stdin"))?);
        let stdout = child.stdout.take().ok_or_else(|| missing("stdout"))?;
        let stderr_pipe = child.stderr.take().ok_or_else(|| missing("stderr"))?;
        let stdout = Output::new(stdout);
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let tail = Arc::clone(&stderr);
        thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines() {
                let Ok(line) = line else { break };
                if let Some(file) = kept.as_mut() {
                    let _ = writeln!(file, "{line}");
                }
                if let Ok(mut tail) = tail.lock() {
                    if tail.len() == STDERR_TAIL {
                        tail.pop_front();
                    }
                    tail.push_back(line);
                }
            }
        });
        Ok(Process {
            program: program.to_string(),
            args: args.to_vec(),
            keep: keep.map(std::path::Path::to_path_buf),
            child,
            stdin,
            stdout,
            buffer: Vec::new(),
            start: 0,
            stderr,
            timeout,
            next_id: 0,
            line: Vec::with_capacity(256),
            answered: 0,
            unanswered: VecDeque::new(),
        })
    }

    /// Sends one request (`op` and its fields; the id is added) and waits for the answer
    /// carrying its id. Answers to earlier requests that timed out are skipped.
    pub fn request(
        &mut self,
        op: &str,
        fields: &[(&str, Value)],
        expected: &str,
    ) -> Result<Reply<serde_json::Map<String, Value>>, DriveError> {
        let id = self.send(op, |line| {
            for (key, value) in fields {
                line.push(b',');
                // A key and a JSON value: both serialise without failing.
                let _ = serde_json::to_writer(&mut *line, key);
                line.push(b':');
                let _ = serde_json::to_writer(&mut *line, value);
            }
        })?;
        self.flush(op)?;
        self.receive(id, op, expected)
    }

    /// Writes one request (`{"id":N,"op":OP` then what `fields` appends, each field with its
    /// leading comma) without flushing, and answers its id. Requests are buffered until
    /// [`Process::flush`], so that a batch of them costs one write.
    pub fn send(&mut self, op: &str, fields: impl FnOnce(&mut Vec<u8>)) -> Result<u64, DriveError> {
        self.next_id += 1;
        let id = self.next_id;
        self.line.clear();
        let _ = write!(self.line, "{{\"id\":{id},\"op\":\"{op}\"");
        fields(&mut self.line);
        self.line.extend_from_slice(b"}\n");
        self.unanswered.push_back((id, op_name(op)));
        if self.stdin.write_all(&self.line).is_err() {
            return Err(self.died(op));
        }
        Ok(id)
    }

    /// Sends what [`Process::send`] buffered. `op` names the last request, for the error.
    pub fn flush(&mut self, op: &str) -> Result<(), DriveError> {
        if self.stdin.flush().is_err() {
            return Err(self.died(op));
        }
        Ok(())
    }

    /// Waits for the answer to request `id` (an `op`), read as a `T`. Answers to earlier
    /// requests (late answers to requests that timed out) are skipped. An answer with the
    /// right id that does not read as a `T` is answered as `Reply::Other`, for the caller
    /// to say what is wrong with it.
    pub fn receive<T: Identified>(
        &mut self,
        id: u64,
        op: &str,
        expected: &str,
    ) -> Result<Reply<T>, DriveError> {
        loop {
            let line = match self.next_line() {
                Ok(Some(line)) => line,
                Ok(None) => return Ok(Reply::TimedOut),
                Err(Some(error)) => {
                    return Err(DriveError {
                        message: format!(
                            "{} wrote something unreadable in answer to {op}: {error}",
                            self.program
                        ),
                    });
                }
                Err(None) => return Err(self.died(op)),
            };
            let bytes = &self.buffer[line];
            // The common case, read straight into its type (from a `str`: checked once,
            // not string by string).
            let text = std::str::from_utf8(bytes);
            if let Ok(answer) = text.map(serde_json::from_str::<T>)
                && let Ok(answer) = answer
            {
                match answer.id() {
                    got if got == id => {
                        self.answered += 1;
                        self.answered_up_to(got);
                        return Ok(Reply::Answer(answer));
                    }
                    got if got < id => {
                        // A late answer to a timed-out request.
                        self.answered_up_to(got);
                        continue;
                    }
                    _ => {}
                }
            }
            let text = match text {
                Ok(text) => text,
                Err(error) => {
                    return Err(DriveError {
                        message: format!(
                            "{} wrote something unreadable in answer to {op}: {error}",
                            self.program
                        ),
                    });
                }
            };
            let not_an_answer = |why: &str| DriveError {
                message: format!(
                    "{} printed {:?} in answer to {op} (id {id}): {why}; expected {expected}",
                    self.program,
                    shorten(text)
                ),
            };
            let object = match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(object)) => object,
                Ok(_) => return Err(not_an_answer("not a JSON object")),
                Err(_) => return Err(not_an_answer("not JSON")),
            };
            match object.get("id").and_then(Value::as_u64) {
                Some(got) if got == id => {
                    self.answered += 1;
                    self.answered_up_to(got);
                    return Ok(Reply::Other(object));
                }
                Some(got) if got < id => {
                    // A late answer to a timed-out request.
                    self.answered_up_to(got);
                    continue;
                }
                Some(got) if got <= self.next_id => {
                    return Err(not_an_answer(&format!(
                        "the answer to request {got}, sent after it (answers come in the order \
                         of the requests)"
                    )));
                }
                Some(_) => return Err(not_an_answer("the id of a request not sent yet")),
                None => return Err(not_an_answer("no numeric \"id\"")),
            }
        }
    }

    /// Every request up to `id` is answered (or its answer skipped).
    fn answered_up_to(&mut self, id: u64) {
        while self
            .unanswered
            .front()
            .is_some_and(|&(waiting, _)| waiting <= id)
        {
            self.unanswered.pop_front();
        }
    }

    /// The request the program is stuck on: the oldest one it has not answered (`op` if
    /// none is known).
    fn stuck_on<'a>(&self, op: &'a str) -> &'a str {
        self.unanswered.front().map_or(op, |&(_, stuck)| stuck)
    }

    /// The next line the program wrote (its range in the buffer, without the line end):
    /// `None` if none came within the timeout; `Err(None)` when the program's output has
    /// ended, `Err(Some(error))` when it could not be read.
    fn next_line(&mut self) -> Result<Option<std::ops::Range<usize>>, Option<std::io::Error>> {
        loop {
            if let Some(at) = memchr::memchr(b'\n', &self.buffer[self.start..]) {
                let begin = self.start;
                let mut end = begin + at;
                self.start = end + 1;
                if end > begin && self.buffer[end - 1] == b'\r' {
                    end -= 1;
                }
                return Ok(Some(begin..end));
            }
            if self.start == self.buffer.len() {
                self.buffer.clear();
                self.start = 0;
            } else if self.start > 0 {
                self.buffer.drain(..self.start);
                self.start = 0;
            }
            match self.stdout.read_into(&mut self.buffer, self.timeout) {
                Ok(Chunk::Read) => {}
                Ok(Chunk::TimedOut) => return Ok(None),
                Ok(Chunk::Ended) => {
                    // A last line without its line end still counts.
                    if self.start < self.buffer.len() {
                        let line = self.start..self.buffer.len();
                        self.start = self.buffer.len();
                        return Ok(Some(line));
                    }
                    return Err(None);
                }
                Err(error) => return Err(Some(error)),
            }
        }
    }

    /// A one-line error for a program that went away, with its exit status and the tail
    /// of its standard error.
    fn died(&mut self, op: &str) -> DriveError {
        // Give the stderr reader a moment to take the last lines.
        let status = (0..50).find_map(|_| match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => {
                thread::sleep(Duration::from_millis(10));
                None
            }
            Err(_) => Some("unknown status".to_string()),
        });
        thread::sleep(Duration::from_millis(20));
        let tail = self
            .stderr
            .lock()
            .map(|tail| tail.iter().cloned().collect::<Vec<_>>().join(" | "))
            .unwrap_or_default();
        let status = status.unwrap_or_else(|| "closed its output".to_string());
        let when = if self.answered == 0 {
            "exits at start".to_string()
        } else {
            format!("crashed in the middle of a case (at {})", self.stuck_on(op))
        };
        let tail = if tail.is_empty() {
            "nothing on stderr".to_string()
        } else {
            format!("stderr: {tail}")
        };
        DriveError {
            message: format!("{} {when}: {status}; {tail}", self.program),
        }
    }

    /// The same program started again, fresh (a crash is shrunk by replaying prefixes of
    /// its case, each from a new process).
    pub fn restarted(&self) -> Result<Process, DriveError> {
        Process::start_keeping(
            &self.program,
            &self.args,
            self.timeout,
            self.keep.as_deref(),
        )
    }

    /// The last lines the program wrote on its standard error, joined with ` | `, or
    /// `None` if it wrote none.
    pub fn stderr_tail(&self) -> Option<String> {
        let tail = self
            .stderr
            .lock()
            .map(|tail| tail.iter().cloned().collect::<Vec<_>>().join(" | "))
            .unwrap_or_default();
        (!tail.is_empty()).then_some(tail)
    }

    /// The program's name, for messages.
    pub fn program(&self) -> &str {
        &self.program
    }

    /// The error for a program that did not answer a request that must be answered: it
    /// names the oldest request without an answer, the one the program is stuck on (an
    /// `execute` whose answer timed out, then the `tasks` or `reset` after it: the program
    /// hangs at the execute).
    pub fn hangs(&self, op: &str) -> DriveError {
        DriveError {
            message: format!(
                "{} hangs: no answer to {} within {} ms (--timeout)",
                self.program,
                self.stuck_on(op),
                self.timeout.as_millis()
            ),
        }
    }

    /// The error for an answer of the wrong shape.
    pub fn bad_answer(
        &self,
        op: &str,
        answer: &serde_json::Map<String, Value>,
        expected: &str,
    ) -> DriveError {
        DriveError {
            message: format!(
                "{} answered {op} with {}; expected {expected}",
                self.program,
                shorten(&Value::Object(answer.clone()).to_string())
            ),
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 200 {
        let cut: String = text.chars().take(200).collect();
        format!("{cut}…")
    } else {
        text.to_string()
    }
}

/// What one wait for the program's output gave.
enum Chunk {
    /// Bytes were appended to the buffer.
    Read,
    /// Nothing came within the timeout.
    TimedOut,
    /// The program closed its output.
    Ended,
}

/// How much one read takes at most.
const CHUNK: usize = 16 * 1024;

/// The program's standard output, read with a timeout.
#[cfg(unix)]
struct Output(ChildStdout, Box<[u8; CHUNK]>);

#[cfg(unix)]
impl Output {
    fn new(stdout: ChildStdout) -> Self {
        Output(stdout, Box::new([0; CHUNK]))
    }

    /// Waits up to `timeout` for output and appends what one read returns to `buffer`.
    fn read_into(&mut self, buffer: &mut Vec<u8>, timeout: Duration) -> std::io::Result<Chunk> {
        use std::io::Read;
        use std::os::fd::AsRawFd;
        use std::time::Instant;
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let mut fd = libc::pollfd {
                fd: self.0.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            let millis = libc::c_int::try_from(left.as_millis()).unwrap_or(libc::c_int::MAX);
            // SAFETY: one valid `pollfd` for a descriptor this process owns, count 1.
            let ready = unsafe { libc::poll(&mut fd, 1, millis) };
            if ready < 0 {
                let error = std::io::Error::last_os_error();
                if error.kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(error);
            }
            if ready == 0 {
                if left.is_zero() {
                    return Ok(Chunk::TimedOut);
                }
                continue;
            }
            // Readable, at its end (POLLHUP) or in error: a read says which. (Into a buffer
            // of its own, copied: no 16 KiB to clear per read.)
            return match self.0.read(&mut self.1[..]) {
                Ok(0) => Ok(Chunk::Ended),
                Ok(read) => {
                    buffer.extend_from_slice(&self.1[..read]);
                    Ok(Chunk::Read)
                }
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => Err(error),
            };
        }
    }
}

/// The program's standard output, read by a thread into a channel (a program that
/// answers many requests at once costs one message, not one per line).
#[cfg(not(unix))]
struct Output(std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>);

#[cfg(not(unix))]
impl Output {
    fn new(mut stdout: ChildStdout) -> Self {
        use std::io::Read;
        let (send, chunks) = std::sync::mpsc::channel();
        thread::spawn(move || {
            let mut buffer = vec![0; CHUNK];
            loop {
                let read = match stdout.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(read) => read,
                    Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(error) => {
                        let _ = send.send(Err(error));
                        break;
                    }
                };
                if send.send(Ok(buffer[..read].to_vec())).is_err() {
                    break;
                }
            }
        });
        Output(chunks)
    }

    /// Waits up to `timeout` for output and appends what one read returned to `buffer`.
    fn read_into(&mut self, buffer: &mut Vec<u8>, timeout: Duration) -> std::io::Result<Chunk> {
        use std::sync::mpsc::RecvTimeoutError;
        match self.0.recv_timeout(timeout) {
            Ok(Ok(chunk)) => {
                buffer.extend_from_slice(&chunk);
                Ok(Chunk::Read)
            }
            Ok(Err(error)) => Err(error),
            Err(RecvTimeoutError::Timeout) => Ok(Chunk::TimedOut),
            Err(RecvTimeoutError::Disconnected) => Ok(Chunk::Ended),
        }
    }
}

/// A request's op as a `'static` name, to remember it until it is answered.
fn op_name(op: &str) -> &'static str {
    match op {
        "execute" => "execute",
        "lists" => "lists",
        "query" => "query",
        "tasks" => "tasks",
        "reset" => "reset",
        "list" => "list",
        _ => "a request",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_answer_is_shortened_to_200_characters() {
        let exact = "é".repeat(200);
        assert_eq!(shorten(&exact), exact);
        let long = format!("{exact}x");
        assert_eq!(shorten(&long), format!("{exact}…"));
        assert_eq!(shorten("{}"), "{}");
    }

    #[test]
    fn every_op_keeps_its_name_and_anything_else_is_a_request() {
        for op in ["execute", "lists", "query", "tasks", "reset", "list"] {
            assert_eq!(op_name(op), op);
        }
        assert_eq!(op_name("dance"), "a request");
        let error = DriveError {
            message: "it broke".into(),
        };
        assert_eq!(error.to_string(), "it broke");
    }

    fn sh(script: &str) -> Process {
        Process::start(
            "sh",
            &["-c".to_string(), script.to_string()],
            Duration::from_millis(2000),
        )
        .expect("sh starts")
    }

    /// Waits for the reader of standard error to take what the program wrote.
    fn tail_when(process: &Process, last: &str) -> Option<String> {
        for _ in 0..200 {
            if process
                .stderr_tail()
                .is_some_and(|tail| tail.ends_with(last))
            {
                break;
            }
            thread::sleep(Duration::from_millis(10));
        }
        process.stderr_tail()
    }

    #[test]
    fn a_program_that_cannot_start_is_named() {
        let missing = Process::start("/nonexistent/plane", &[], Duration::from_secs(1));
        assert_eq!(
            missing.err().map(|error| error.message),
            Some("program not found: /nonexistent/plane (give a path or a command on PATH)".into())
        );
        let plain = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/driven/history.jsonl");
        let denied = Process::start(plain, &[], Duration::from_secs(1));
        assert_eq!(
            denied.err().map(|error| error.message),
            Some(format!(
                "program {plain} cannot be executed: permission denied"
            ))
        );
    }

    /// The last five lines of standard error, joined; all of it kept in a file when asked.
    #[test]
    fn the_last_lines_of_standard_error_are_kept() {
        let quiet = sh("cat");
        thread::sleep(Duration::from_millis(50));
        assert_eq!(quiet.stderr_tail(), None);
        let keep =
            std::env::temp_dir().join(format!("drs-drive-unit-{}-stderr", std::process::id()));
        let _ = std::fs::remove_file(&keep);
        let noisy = Process::start_keeping(
            "sh",
            &[
                "-c".to_string(),
                "for i in 1 2 3 4 5 6 7; do echo line$i >&2; done; cat".to_string(),
            ],
            Duration::from_secs(2),
            Some(&keep),
        )
        .expect("sh starts");
        assert_eq!(
            tail_when(&noisy, "line7").as_deref(),
            Some("line3 | line4 | line5 | line6 | line7")
        );
        let kept = std::fs::read_to_string(&keep).expect("kept");
        assert_eq!(kept, "line1\nline2\nline3\nline4\nline5\nline6\nline7\n");
        // Restarted, it appends to the same file.
        let again = noisy.restarted().expect("restarts");
        tail_when(&again, "line7");
        drop(again);
        let kept = std::fs::read_to_string(&keep).expect("kept");
        assert_eq!(kept.lines().count(), 14);
    }

    /// Answers come back by id: a late answer to an earlier request is skipped (whether or
    /// not it reads as the answer awaited), an answer
    /// with a line end of `\r\n` or none at all (the last line) is read, an answer that
    /// does not read as the type asked is answered as another object.
    #[test]
    fn answers_are_read_by_id_whatever_their_line_ends() {
        let mut process = sh(
            r#"read a; printf '{"id":0,"answer":"late"}\n{"id":1,"answer":"ok"}\r\n'; read b; printf '{"id":1,"answer":"again"}\n{"id":2,"answer":"tasks","tasks":[],"arrears":[]}\n'; read c; printf '{"id":3,"answer":"ok"}'"#,
        );
        match process.request("reset", &[("protocol", Value::from(2))], "ok") {
            Ok(Reply::Answer(map)) => {
                assert_eq!(map.get("answer"), Some(&Value::from("ok")));
                assert_eq!(map.get("id"), Some(&Value::from(1)));
                assert_eq!(map.id(), 1);
            }
            _ => panic!("answered"),
        }
        let id = process.send("tasks", |_| {}).expect("sent");
        assert_eq!(id, 2);
        process.flush("tasks").expect("flushed");
        match process.receive::<crate::drive::wire::TasksAnswer>(id, "tasks", "tasks") {
            Ok(Reply::Answer(answer)) => assert!(answer.tasks.is_empty()),
            _ => panic!("answered"),
        }
        let id = process.send("tasks", |_| {}).expect("sent");
        process.flush("tasks").expect("flushed");
        match process.receive::<crate::drive::wire::TasksAnswer>(id, "tasks", "tasks") {
            Ok(Reply::Other(map)) => assert_eq!(map.get("answer"), Some(&Value::from("ok"))),
            _ => panic!("another object"),
        }
        // The program has ended: the next request finds it gone.
        let error = process
            .request("tasks", &[], "tasks")
            .err()
            .map(|error| error.message);
        assert!(
            error.as_ref().is_some_and(|message| message
                .starts_with("sh crashed in the middle of a case (at tasks): exit status: 0")),
            "{error:?}"
        );
    }

    /// A program dropped is ended and reaped: nothing of it is left running.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_dropped_program_is_ended() {
        let process = sh("exec sleep 30");
        let pid = process.child.id();
        assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
        drop(process);
        assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
    }

    /// A line that is not an answer is quoted without its line end, `\r\n` or `\n`, even
    /// when it is empty.
    #[test]
    fn a_non_answer_is_quoted_without_its_line_end() {
        for (script, quoted) in [
            (r"read a; printf 'nope\r\n'; read b", r#""nope""#),
            (r"read a; printf '\n'; read b", r#""""#),
        ] {
            let mut process = sh(script);
            let error = process
                .request("tasks", &[], "E")
                .err()
                .map(|error| error.message);
            assert_eq!(
                error,
                Some(format!(
                    "sh printed {quoted} in answer to tasks (id 1): not JSON; expected E"
                ))
            );
        }
    }

    /// A program that has answered, even with an answer of the wrong shape, and then ends
    /// has crashed in the middle of a case; one that ends before any answer exits at start.
    #[test]
    fn a_program_that_answered_something_crashed_mid_case() {
        let mut process = sh(r#"read a; printf '{"id":1,"answer":"ok"}\n'; read b"#);
        let id = process.send("tasks", |_| {}).expect("sent");
        process.flush("tasks").expect("flushed");
        assert!(matches!(
            process.receive::<crate::drive::wire::TasksAnswer>(id, "tasks", "tasks"),
            Ok(Reply::Other(_))
        ));
        let error = process
            .request("reset", &[], "ok")
            .err()
            .map(|error| error.message);
        assert_eq!(
            error.as_deref(),
            Some(
                "sh crashed in the middle of a case (at reset): exit status: 0; nothing on stderr"
            )
        );
        let mut silent = sh("read a");
        let error = silent
            .request("reset", &[], "ok")
            .err()
            .map(|error| error.message);
        assert_eq!(
            error.as_deref(),
            Some("sh exits at start: exit status: 0; nothing on stderr")
        );
    }

    /// A signal that interrupts the wait for an answer (`poll(2)` fails with `EINTR`, as it
    /// does for any handled signal, whatever `SA_RESTART` says) is waited through: the
    /// answer that comes after it is read.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_signal_during_the_wait_for_an_answer_is_waited_through() {
        use std::sync::Barrier;
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        static CAUGHT: AtomicUsize = AtomicUsize::new(0);
        extern "C" fn caught(_: libc::c_int) {
            CAUGHT.fetch_add(1, Ordering::Relaxed);
        }
        /// Ends the signalling however the reading ends (a panic included).
        struct Done<'a>(&'a AtomicBool);
        impl Drop for Done<'_> {
            fn drop(&mut self) {
                self.0.store(true, Ordering::Relaxed);
            }
        }
        // SAFETY: a handler that only touches an atomic, installed (and put back below)
        // for a signal nothing else in the test binary uses; the sigactions are zeroed,
        // then filled.
        let mut before: libc::sigaction = unsafe { std::mem::zeroed() };
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = caught as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            assert_eq!(libc::sigaction(libc::SIGUSR2, &action, &mut before), 0);
        }
        let mut process = sh(r#"read a; sleep 0.4; printf '{"id":1,"answer":"ok"}\n'"#);
        // SAFETY: the id of the calling thread, which outlives the signalling thread (it
        // is joined when the scope ends).
        let reader = unsafe { libc::pthread_self() };
        let done = AtomicBool::new(false);
        let started = Barrier::new(2);
        let answer = thread::scope(|scope| {
            scope.spawn(|| {
                started.wait();
                while !done.load(Ordering::Relaxed) {
                    // SAFETY: the reading thread is alive until `done` is set and this
                    // thread joined.
                    unsafe { libc::pthread_kill(reader, libc::SIGUSR2) };
                    thread::sleep(Duration::from_millis(20));
                }
            });
            let _done = Done(&done);
            started.wait();
            process.request("reset", &[], "ok")
        });
        // SAFETY: the handler found at the start, put back.
        unsafe { libc::sigaction(libc::SIGUSR2, &before, std::ptr::null_mut()) };
        assert!(
            CAUGHT.load(Ordering::Relaxed) > 0,
            "the wait was interrupted"
        );
        match answer {
            Ok(Reply::Answer(map)) => assert_eq!(map.get("answer"), Some(&Value::from("ok"))),
            Ok(_) => panic!("answered something else"),
            Err(error) => panic!("{}", error.message),
        }
    }

    /// Nothing within the timeout: the program hangs at the oldest request it has not
    /// answered, whichever answer the driver waits for.
    #[test]
    fn a_silent_program_hangs_at_its_oldest_request() {
        let mut process = Process::start(
            "sh",
            &["-c".to_string(), "read a; cat > /dev/null".to_string()],
            Duration::from_millis(150),
        )
        .expect("sh starts");
        let started = std::time::Instant::now();
        let first = process.send("execute", |_| {}).expect("sent");
        let second = process.send("lists", |_| {}).expect("sent");
        process.flush("lists").expect("flushed");
        assert_eq!((first, second), (1, 2));
        assert!(matches!(
            process.receive::<serde_json::Map<String, Value>>(second, "lists", "lists"),
            Ok(Reply::TimedOut)
        ));
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(150), "{waited:?}");
        assert_eq!(
            process.hangs("lists").message,
            "sh hangs: no answer to execute within 150 ms (--timeout)"
        );
        let mut map = serde_json::Map::new();
        map.insert("answer".into(), Value::from("x".repeat(300)));
        assert_eq!(
            process.bad_answer("tasks", &map, "E").message,
            format!(
                "sh answered tasks with {}; expected E",
                shorten(&Value::Object(map.clone()).to_string())
            )
        );
        assert_eq!(process.program(), "sh");
    }
}
