//! The program under test as a child process: one JSON line out, one JSON line back.
//!
//! Everything a program can do wrong is turned into one [`DriveError`] line here, so the
//! driver never panics on what a program prints: it cannot be found, it exits before or
//! during a case (its exit status and the tail of its standard error), it stops answering
//! (a timeout), or it prints something that is not the answer expected. Its standard output
//! is read by a thread into a channel, so that a silent program is noticed after the
//! timeout instead of blocking the driver forever; its standard error is kept, last lines
//! only, for the crash message.

use std::collections::VecDeque;
use std::fmt;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::{Child, ChildStdin, Command as Spawn, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
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
pub enum Reply {
    /// A JSON object carrying the request's id.
    Answer(serde_json::Map<String, Value>),
    /// Nothing within the timeout.
    TimedOut,
}

/// A running program and the pipes to it.
pub struct Process {
    program: String,
    child: Child,
    stdin: BufWriter<ChildStdin>,
    lines: Receiver<std::io::Result<String>>,
    stderr: Arc<Mutex<VecDeque<String>>>,
    timeout: Duration,
    next_id: u64,
    /// Requests answered so far (to tell "exits at start" from "crashes mid-case").
    answered: u64,
}

impl Process {
    /// Starts `program` with `args`.
    pub fn start(program: &str, args: &[String], timeout: Duration) -> Result<Self, DriveError> {
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
        let (send, lines) = channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let stop = line.is_err();
                if send.send(line).is_err() || stop {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let tail = Arc::clone(&stderr);
        thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines() {
                let Ok(line) = line else { break };
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
            child,
            stdin,
            lines,
            stderr,
            timeout,
            next_id: 0,
            answered: 0,
        })
    }

    /// Sends one request (`op` and its fields; the id is added) and waits for the answer
    /// carrying its id. Answers to earlier requests that timed out are skipped.
    pub fn request(
        &mut self,
        op: &str,
        fields: &[(&str, Value)],
        expected: &str,
    ) -> Result<Reply, DriveError> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = serde_json::Map::new();
        message.insert("id".into(), Value::from(id));
        message.insert("op".into(), Value::from(op));
        for (key, value) in fields {
            message.insert((*key).into(), value.clone());
        }
        let line = Value::Object(message).to_string();
        if self
            .stdin
            .write_all(line.as_bytes())
            .and_then(|()| self.stdin.write_all(b"\n"))
            .and_then(|()| self.stdin.flush())
            .is_err()
        {
            return Err(self.died(op));
        }
        loop {
            let text = match self.lines.recv_timeout(self.timeout) {
                Ok(Ok(text)) => text,
                Ok(Err(error)) => {
                    return Err(DriveError {
                        message: format!(
                            "{} wrote something unreadable in answer to {op}: {error}",
                            self.program
                        ),
                    });
                }
                Err(RecvTimeoutError::Timeout) => return Ok(Reply::TimedOut),
                Err(RecvTimeoutError::Disconnected) => return Err(self.died(op)),
            };
            let not_an_answer = |why: &str| DriveError {
                message: format!(
                    "{} printed {:?} in answer to {op} (id {id}): {why}; expected {expected}",
                    self.program,
                    shorten(&text)
                ),
            };
            let object = match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(object)) => object,
                Ok(_) => return Err(not_an_answer("not a JSON object")),
                Err(_) => return Err(not_an_answer("not JSON")),
            };
            match object.get("id").and_then(Value::as_u64) {
                Some(got) if got == id => {
                    self.answered += 1;
                    return Ok(Reply::Answer(object));
                }
                Some(got) if got < id => continue, // a late answer to a timed-out request
                Some(_) => return Err(not_an_answer("the id of a request not sent yet")),
                None => return Err(not_an_answer("no numeric \"id\"")),
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
            format!("crashed in the middle of a case (at {op})")
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

    /// The error for a program that did not answer a request that must be answered.
    pub fn hangs(&self, op: &str) -> DriveError {
        DriveError {
            message: format!(
                "{} hangs: no answer to {op} within {} ms (--timeout)",
                self.program,
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
