//! The driver against a real program: the Python example, wrapped by
//! `tests/driven/plane.py` to answer indefinitely, under-report, log the requests it
//! receives, or say something wrong at a chosen request. (Library tests cannot run the
//! `drs-lifecycle` binary, so `serve-plane` is out of reach here; the example needs only
//! `python3`.) The mutation campaign of `src/drive/` runs these with the other unit tests
//! of the module, once per mutant.

use super::*;

/// The wrapper, or `None` (the test is skipped) when there is no `python3`, unless
/// `DRS_REQUIRE_PYTHON` is set.
fn python() -> Option<String> {
    let found = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        assert!(
            std::env::var_os("DRS_REQUIRE_PYTHON").is_none(),
            "DRS_REQUIRE_PYTHON is set but python3 was not found"
        );
        eprintln!("skipped: no python3 on this machine");
        return None;
    }
    Some(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/driven/plane.py").to_string())
}

/// A directory of its own for a test, empty.
fn fresh(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("drs-drive-unit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Options for the wrapper with `args`: seed 0, `cases` cases of up to 40 steps, saving
/// under a fresh directory named `name`.
fn options(name: &str, args: &[&str], cases: u64) -> Option<Options> {
    let wrapper = python()?;
    let mut options = Options::new("python3", &[]);
    options.args = std::iter::once(wrapper)
        .chain(args.iter().map(|arg| (*arg).to_string()))
        .collect();
    options.save = fresh(name);
    options.cases = cases;
    options.steps = 40;
    options.timeout = Duration::from_secs(5);
    Some(options)
}

/// The requests a logged run sent, by op.
fn ops(log: &Path) -> std::collections::BTreeMap<String, usize> {
    let text = std::fs::read_to_string(log).expect("the log");
    let mut count = std::collections::BTreeMap::new();
    for line in text.lines() {
        let request: serde_json::Value = serde_json::from_str(line).expect("a request");
        let op = request["op"].as_str().expect("an op").to_string();
        *count.entry(op).or_insert(0) += 1;
    }
    count
}

/// The ops of a logged run, case by case (a case starts at its reset): one letter a request
/// (`x` execute, `l` lists, `L` list, `q` query, `t` tasks).
fn cases_of(log: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(log).expect("the log");
    let mut cases: Vec<String> = Vec::new();
    for line in text.lines() {
        let request: serde_json::Value = serde_json::from_str(line).expect("a request");
        match request["op"].as_str().expect("an op") {
            "reset" => cases.push(String::new()),
            op => cases.last_mut().expect("a reset first").push(match op {
                "execute" => 'x',
                "lists" => 'l',
                "list" => 'L',
                "query" => 'q',
                "tasks" => 't',
                _ => '?',
            }),
        }
    }
    cases
}

/// Compares `actual` with the committed file `tests/driven/NAME`, or writes it when
/// `DRS_BLESS` is set.
fn pinned(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/driven")
        .join(name);
    if std::env::var_os("DRS_BLESS").is_some() {
        std::fs::write(&path, actual).expect("written");
        return;
    }
    let expected = std::fs::read_to_string(&path).expect("the pinned file");
    assert_eq!(actual, expected, "{name} (DRS_BLESS=1 writes it again)");
}

fn run(options: &Options) -> Result<Report, DriveError> {
    drive(options, |_, _, _| {})
}

/// The message with the save directory and the program's path written as `SAVE` and
/// `PLANE`.
fn generic(message: &str, options: &Options) -> String {
    message
        .replace(&options.save.display().to_string(), "SAVE")
        .replace(&options.args[0], "PLANE")
}

/// A clean program, pipelined: every case passes, and the requests are the window's: per
/// step the command, the listings when the specification accepts it, the query of the
/// task it addresses, and the whole fleet after every `verify_every`th command and the
/// last.
#[test]
fn a_clean_program_passes_pipelined_with_the_requests_of_the_window() {
    let Some(mut options) = options("clean", &[], 8) else {
        return;
    };
    let log = options.save.with_extension("log");
    let _ = std::fs::remove_file(&log);
    options
        .args
        .extend(["--log".to_string(), log.display().to_string()]);
    options.verify_every = 5;
    let report = run(&options).expect("runs");
    assert!(report.found.is_none());
    assert_eq!((report.regressions, report.cases), (0, 8));
    assert_eq!(report.indefinite, (0, 0));
    assert_eq!(
        (report.tour.as_ref(), report.fleet_tour.as_ref()),
        (None, None)
    );
    assert!(
        report.fleet_elapsed.is_none(),
        "no fleet tour, no time of it"
    );
    let rate = report.commands_per_second() * report.elapsed.as_secs_f64();
    assert!((rate - report.stats.steps as f64).abs() < 1e-6, "{rate}");
    assert_eq!(
        format!("{:?}", report.stats),
        "Stats { cases: 0, steps: 174, accepted: 113, refused: [15, 41, 1, 0, 4, 0], \
         to_deleted: 4, wrong_account: 4, unknown_id: 11, snapshots: 0 }"
    );
    assert_eq!(
        format!("{:?}", ops(&log)),
        r#"{"execute": 174, "lists": 113, "query": 122, "reset": 9, "tasks": 38}"#
    );
    let cases = cases_of(&log);
    assert_eq!(cases.len(), 9, "the first reset, then one a case");
    assert_eq!(cases[0], "");
    for case in &cases[1..] {
        // The executes, and after each the fleet every fifth and after the last.
        let executes = case.matches('x').count();
        let mut verified = Vec::new();
        let mut at = 0;
        for c in case.chars() {
            match c {
                'x' => at += 1,
                't' => verified.push(at),
                _ => {}
            }
        }
        let expected: Vec<usize> = (1..=executes)
            .filter(|n| n % 5 == 0 || *n == executes)
            .collect();
        assert_eq!(verified, expected, "{case}");
        assert!(!case.contains('L'), "{case}");
    }
    assert_eq!(cases[1], "xlxlqxlxqxlqtxqxqxqxqxlqtxqxqxqxqxlqtxlqt");
    let text = std::fs::read_to_string(&log).expect("the log");
    assert_eq!(
        text.lines().take(8).collect::<Vec<_>>(),
        [
            r#"{"id":1,"op":"reset","protocol":2}"#,
            r#"{"id":2,"op":"reset","protocol":2}"#,
            r#"{"id":3,"op":"execute","command":{"command":"create","account":0,"mode":"INCR_TRANS"}}"#,
            r#"{"id":4,"op":"lists","accounts":[0,1,2]}"#,
            r#"{"id":5,"op":"execute","command":{"command":"task","account":0,"task":1,"event":"InstanceReady"}}"#,
            r#"{"id":6,"op":"lists","accounts":[0,1,2]}"#,
            r#"{"id":7,"op":"query","account":0,"task":1}"#,
            r#"{"id":8,"op":"execute","command":{"command":"arrears","account":0}}"#
        ]
    );
}

/// Offered protocol 1 only, the same program is driven exact: the whole fleet after every
/// command, a listing of each account at a time, the same verdicts.
#[test]
fn offered_protocol_1_the_program_is_driven_exact_with_the_same_counts() {
    let Some(mut options) = options("exact", &[], 8) else {
        return;
    };
    let log = options.save.with_extension("log");
    let _ = std::fs::remove_file(&log);
    options
        .args
        .extend(["--log".to_string(), log.display().to_string()]);
    options.protocol = 1;
    let report = run(&options).expect("runs");
    assert!(report.found.is_none());
    // The same cases and verdicts as pipelined.
    assert_eq!(
        format!("{:?}", report.stats),
        "Stats { cases: 0, steps: 174, accepted: 113, refused: [15, 41, 1, 0, 4, 0], \
         to_deleted: 4, wrong_account: 4, unknown_id: 11, snapshots: 0 }"
    );
    assert_eq!(
        format!("{:?}", ops(&log)),
        r#"{"execute": 174, "list": 351, "query": 122, "reset": 9, "tasks": 183}"#
    );
    let cases = cases_of(&log);
    assert_eq!(
        cases[1],
        "txtLLLxtLLLqxtLLLxtqxtLLLqxtqxtqxtqxtqxtLLLqxtqxtqxtqxtqxtLLLqxtLLLq"
    );
    let text = std::fs::read_to_string(&log).expect("the log");
    assert_eq!(
        text.lines().take(8).collect::<Vec<_>>(),
        [
            r#"{"id":1,"op":"reset"}"#,
            r#"{"id":2,"op":"tasks"}"#,
            r#"{"id":3,"op":"reset"}"#,
            r#"{"id":4,"op":"tasks"}"#,
            r#"{"id":5,"op":"execute","command":{"command":"create","account":0,"mode":"INCR_TRANS"}}"#,
            r#"{"id":6,"op":"tasks"}"#,
            r#"{"id":7,"op":"list","account":0}"#,
            r#"{"id":8,"op":"list","account":1}"#
        ]
    );
}

/// Indefinite answers: every third execute `unknown`, done or not in turn. A pipelined run
/// cannot settle one and runs its case again exact; the count of those that happened is
/// the program's.
#[test]
fn indefinite_answers_are_settled_by_the_fleet() {
    {
        let protocol = 2;
        let Some(options) = options("unknown", &["--unknown-every", "3"], 8) else {
            return;
        };
        let report = run(&options).expect("runs");
        assert!(report.found.is_none(), "{:?}", report.found);
        let _ = protocol;
        // Of 56 indefinite answers, 13 had happened; the counts are the exact runs' (the
        // pipelined runs abandoned are not counted).
        assert_eq!(
            format!("{:?} {:?}", report.indefinite, report.stats),
            "(56, 13) Stats { cases: 0, steps: 173, accepted: 61, refused: [46, 16, 1, 0, 6, 0], \
             to_deleted: 2, wrong_account: 8, unknown_id: 38, snapshots: 0 }"
        );
    }
}

/// A program whose answers say billing changed nothing: pipelined, the look at the whole
/// fleet shows the difference and the case is run again exact, which names the step; with
/// protocol 1 the answers say nothing of changes, and the program passes.
#[test]
fn a_change_the_answers_do_not_say_is_caught_at_its_step() {
    let Some(options) = options("under", &["--under-report"], 40) else {
        return;
    };
    let report = run(&options).expect("runs");
    let found = report.found.expect("caught");
    pinned("found-unsaid.txt", &generic(&found.to_string(), &options));
}

/// A failing case is shrunk to a fixpoint (no command can be left out and the case still
/// fail alike), saved as a regression and a history, printed word for word, and replayed
/// first by the next run.
#[test]
fn a_failure_is_shrunk_to_a_fixpoint_saved_and_replayed_first() {
    let Some(options) = options(
        "bug",
        &[
            "--bug",
            "ready-counts-twice",
            "--stderr",
            "version 1.2 ready",
        ],
        20,
    ) else {
        return;
    };
    let report = run(&options).expect("runs");
    let found = report.found.expect("caught");
    pinned("found-version.txt", &generic(&found.to_string(), &options));
    assert_eq!(report.cases, 1);
    assert_eq!(found.original_length, 16);
    assert_eq!(
        found.regression,
        options.save.join("drive-seed0-case1.json")
    );
    assert_eq!(
        found.history,
        options.save.join("drive-seed0-case1.history.jsonl")
    );
    assert!(found.recurred);
    assert_eq!(found.stderr.as_deref(), Some("version 1.2 ready"));
    assert_eq!(found.rejected, None);
    assert_fixpoint(&options, &found);
    // The saved files.
    let saved = load_all(&options.save).expect("reads");
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].1.case(), found.case);
    let history = std::fs::read_to_string(&found.history).expect("the history");
    assert_eq!(history, history::write(&found.steps, &options.program));
    // The next run replays it first, and fails on it.
    let next = run(&options).expect("runs");
    assert_eq!((next.regressions, next.cases), (1, 1));
    let replayed = next.found.expect("fails again");
    assert_eq!(replayed.case, found.case);
    assert_eq!(replayed.regression, found.regression);
}

/// `--cover`: the tour of the single-task lifecycle, every pair covered against a clean
/// program; a bug it catches is shrunk from the shortest case of its pair and saved under
/// the stretch's name.
#[test]
fn the_tour_covers_every_pair_and_a_tour_failure_starts_from_its_shortest_case() {
    let Some(mut options) = options("cover", &[], 0) else {
        return;
    };
    options.cover = true;
    let report = run(&options).expect("runs");
    assert!(report.found.is_none());
    let tour = Tour::single_task();
    assert_eq!(report.tour, Some(tour.count(None)));
    assert_eq!(report.cases, tour.segments.len() as u64);
    assert!(report.fleet_tour.is_none());
    let Some(mut options) = self::options("cover-bug", &["--bug", "full-only-goes-incremental"], 0)
    else {
        return;
    };
    options.cover = true;
    let report = run(&options).expect("runs");
    let found = report.found.expect("caught");
    assert_eq!(
        format!("{:?}", report.tour),
        "Some(TourCount { states: 116, covered: [805, 785, 786, 12], \
         total: [1190, 1680, 1120, 12], commands: 2452, resets: 25 })"
    );
    pinned("found-cover.txt", &generic(&found.to_string(), &options));
    assert_eq!(
        found.rejected,
        Some((
            "job-1".to_string(),
            "full-only never incremental, incremental-only never full"
        ))
    );
    assert_fixpoint(&options, &found);
}

/// The shrunk case fails, and leaving out any one of its commands does not fail alike.
fn assert_fixpoint(options: &Options, found: &Found) {
    let process = Process::start("python3", &options.args, options.timeout).expect("starts");
    let link = Link::new(process, options.protocol);
    let make_link = Rc::clone(&link);
    let mut harness = DriveHarness::with(move || ProcessPlane::reset(&make_link), None);
    let again = run_case(&mut harness, &link, &found.case, None, 8, None).expect("runs");
    assert_eq!(
        again.map_err(|failure| failure.property),
        Err(found.failure.property)
    );
    for leave in 0..found.case.commands.len() {
        let mut shorter = found.case.clone();
        shorter.commands.remove(leave);
        let ran = run_case(&mut harness, &link, &shorter, None, 8, None).expect("runs");
        assert!(
            !matches!(&ran, Err(failure) if failure.property == found.failure.property),
            "without step {} it still fails",
            leave + 1
        );
    }
}

#[test]
fn saved_cases_are_named_by_seed_and_case_or_by_stretch() {
    let mut options = Options::new("plane", &[]);
    options.seed = 0x1f;
    assert_eq!(saved_name(&options, 0), "drive-seed1f-case1");
    assert_eq!(saved_name(&options, 41), "drive-seed1f-case42");
    options.cover = true;
    assert_eq!(saved_name(&options, 6), "drive-cover-stretch7");
    options.cover = false;
    options.cover_fleet = true;
    assert_eq!(saved_name(&options, 0), "drive-cover-stretch1");
}

/// The listings are asked after each command the specification accepts, of every account
/// the case uses and the one after it.
#[test]
fn the_listings_are_asked_after_the_commands_the_specification_accepts() {
    use crate::spec::{AccountId, Event, Mode, TaskId};
    let case = Case {
        accounts: 2,
        snapshot_at: None,
        commands: vec![
            Command::Create {
                account: AccountId(1),
                mode: Mode::Full,
            },
            Command::Task {
                account: AccountId(1),
                task: TaskId(1),
                event: Event::Pause,
            },
            Command::Task {
                account: AccountId(1),
                task: TaskId(1),
                event: Event::InstanceReady,
            },
            Command::Recharge {
                account: AccountId(0),
            },
        ],
    };
    assert_eq!(listings_asked(&case), [3, 0, 3, 0]);
    let many = Case {
        accounts: MAX_ACCOUNTS as u32 + 5,
        ..case
    };
    assert_eq!(
        listings_asked(&many),
        [MAX_ACCOUNTS as u32, 0, MAX_ACCOUNTS as u32, 0]
    );
}

/// A program of a few lines of awk that answers each request from a table: the answer to
/// the `n`th request of an op is the table's `op:n` line if it has one, else the op's
/// default: a creation's answer (`create`) or a refusal (`execute`); the whole fleet and
/// the listing of account 0 with task 1 once it is created (`tasks`, `list`), without it
/// before (`tasks0`, `list0`); the `lists` and `query` lines. `{id}` stands for the
/// request's id, `{next}` for the one after it, `<NL>` for a line end; `<NONE>` answers
/// nothing, `<STOP>` nothing from then on, `<EXIT>` ends the program (status 3, a line on
/// standard error). It starts in a millisecond, so a test can make many.
const CANNED: &str = r#"BEGIN { n = split(T, rows, "\n"); for (i = 1; i <= n; i++) { at = index(rows[i], " "); say[substr(rows[i], 1, at - 1)] = substr(rows[i], at + 1) } }
stopped { next }
{ match($0, /"id":[0-9]+/); id = substr($0, RSTART + 5, RLENGTH - 5); match($0, /"op":"[a-z]+"/); op = substr($0, RSTART + 6, RLENGTH - 7); seen[op]++; key = op ":" seen[op]
  if (op == "reset") created = 0
  if (key in say) line = say[key]
  else if (op == "execute") line = ($0 ~ /"create"/) ? say["create"] : say["execute"]
  else if (op == "tasks") line = created ? say["tasks"] : say["tasks0"]
  else if (op == "list") line = (created && $0 ~ /"account":0/) ? say["list"] : say["list0"]
  else line = say[op]
  if (op == "execute" && $0 ~ /"create"/) created = 1
  gsub(/[{]id[}]/, id, line); gsub(/[{]next[}]/, id + 1, line); gsub(/<NL>/, "\n", line)
  if (line == "<EXIT>") { print "giving up at " key > "/dev/stderr"; exit 3 }
  if (line == "<STOP>") { stopped = 1; next }
  if (line != "<NONE>") { print line; fflush() } }"#;

/// Task 1 as created.
const TASK: &str = r#"{"id":1,"account":0,"mode":"FULL_TRANS","status":"Creating","phase":null,"frozen_from":null,"holds_instance":false,"version":1}"#;

/// The answers of a conforming program to the saved case (a creation, then a pause the
/// specification refuses), pipelined or exact.
fn table() -> String {
    [
        r#"reset {"id":{id},"answer":"ok","protocol":2}"#.to_string(),
        format!(
            r#"create {{"id":{{id}},"answer":"accepted","outcome":{{"Task":{{"task":1,"from":"Creating","to":"Creating","instance":"Unchanged","version":1}}}},"changed":[{TASK}]}}"#
        ),
        r#"execute {"id":{id},"answer":"refused","kind":"NotAllowed"}"#.to_string(),
        r#"lists {"id":{id},"answer":"lists","lists":[[1],[]]}"#.to_string(),
        format!(r#"query {{"id":{{id}},"answer":"task","task":{TASK}}}"#),
        format!(r#"tasks {{"id":{{id}},"answer":"tasks","tasks":[{TASK}],"arrears":[]}}"#),
        r#"tasks0 {"id":{id},"answer":"tasks","tasks":[],"arrears":[]}"#.to_string(),
        r#"list {"id":{id},"answer":"list","tasks":[1]}"#.to_string(),
        r#"list0 {"id":{id},"answer":"list","tasks":[]}"#.to_string(),
    ]
    .join("\n")
}

/// Drives the canned program through the saved case, with `changes` to its table (lines
/// that take the place of the table's lines of the same key), offering `protocol`. The
/// error, or how the run ended.
fn canned(name: &str, protocol: u32, changes: &[&str]) -> String {
    canned_run(name, protocol, changes, true)
}

/// As [`canned`], with the saved case (`saved`) or, without it, one generated case.
fn canned_run(name: &str, protocol: u32, changes: &[&str], saved: bool) -> String {
    let save = fresh(&format!("canned-{name}"));
    std::fs::create_dir_all(&save).expect("a directory");
    let case = Case {
        accounts: 1,
        snapshot_at: None,
        commands: vec![
            Command::Create {
                account: crate::spec::AccountId(0),
                mode: crate::spec::Mode::Full,
            },
            Command::Task {
                account: crate::spec::AccountId(0),
                task: crate::spec::TaskId(1),
                event: crate::spec::Event::Pause,
            },
        ],
    };
    if saved {
        std::fs::write(
            save.join("case.json"),
            to_json(&Regression::new("canned".to_string(), &case, None)),
        )
        .expect("saved");
    }
    let mut table = table();
    for change in changes {
        table.push('\n');
        table.push_str(change);
    }
    canned_case(save, protocol, saved, &table)
}

/// Drives the canned program with `table`, saving under `save` (where a saved case is
/// replayed first; with `generated`, one generated case follows). The error, the failure
/// found, or how many cases passed.
fn canned_case(save: PathBuf, protocol: u32, saved: bool, table: &str) -> String {
    let mut options = Options::new("awk", &["-W", "interactive", "-v"]);
    options.args.push(format!("T={table}"));
    options.args.push(CANNED.to_string());
    options.cases = u64::from(!saved);
    options.protocol = protocol;
    options.save = save;
    options.timeout = Duration::from_millis(250);
    match run(&options) {
        Ok(report) => match report.found {
            Some(found) => format!("found: {}", found.failure),
            None => format!("passed {} cases", report.cases),
        },
        Err(error) => error
            .message
            .replace(&options.save.display().to_string(), "SAVE"),
    }
}

/// A program that deletes a task and says in its answer that the deleted task still holds
/// its instance: the plane takes the answer's word for the task it names (only a deleted
/// task the answer leaves out is read as the deletion its outcome names), so the step
/// fails.
#[test]
fn a_deleted_task_named_in_the_answer_is_taken_as_named() {
    let on = |event| Command::Task {
        account: crate::spec::AccountId(0),
        task: crate::spec::TaskId(1),
        event,
    };
    let case = Case {
        accounts: 1,
        snapshot_at: None,
        commands: vec![
            Command::Create {
                account: crate::spec::AccountId(0),
                mode: crate::spec::Mode::Full,
            },
            on(crate::spec::Event::InstanceCreationFailed),
            on(crate::spec::Event::Delete),
        ],
    };
    let task = |status: &str, version: u32, held: bool| {
        format!(
            r#"{{"id":1,"account":0,"mode":"FULL_TRANS","status":"{status}","phase":null,"frozen_from":null,"holds_instance":{held},"version":{version}}}"#
        )
    };
    let accepted = |from: &str, to: &str, version: u32, changed: &str| {
        format!(
            r#"{{"id":{{id}},"answer":"accepted","outcome":{{"Task":{{"task":1,"from":"{from}","to":"{to}","instance":"Unchanged","version":{version}}}}},"changed":[{changed}]}}"#
        )
    };
    let table = [
        r#"reset {"id":{id},"answer":"ok","protocol":2}"#.to_string(),
        format!(
            "execute:1 {}",
            accepted("Creating", "Creating", 1, &task("Creating", 1, false))
        ),
        format!(
            "execute:2 {}",
            accepted(
                "Creating",
                "CreateFailed",
                2,
                &task("CreateFailed", 2, false)
            )
        ),
        format!(
            "execute:3 {}",
            accepted("CreateFailed", "Deleted", 3, &task("Deleted", 3, true))
        ),
        r#"lists {"id":{id},"answer":"lists","lists":[[1],[]]}"#.to_string(),
        r#"lists:3 {"id":{id},"answer":"lists","lists":[[],[]]}"#.to_string(),
        format!(
            r#"query:1 {{"id":{{id}},"answer":"task","task":{}}}"#,
            task("CreateFailed", 2, false)
        ),
        r#"query {"id":{id},"answer":"task","task":null}"#.to_string(),
        r#"tasks {"id":{id},"answer":"tasks","tasks":[],"arrears":[]}"#.to_string(),
        r#"tasks0 {"id":{id},"answer":"tasks","tasks":[],"arrears":[]}"#.to_string(),
        r#"list {"id":{id},"answer":"list","tasks":[]}"#.to_string(),
        r#"list0 {"id":{id},"answer":"list","tasks":[]}"#.to_string(),
        format!(
            "create {}",
            accepted("Creating", "Creating", 1, &task("Creating", 1, false))
        ),
        r#"execute {"id":{id},"answer":"refused","kind":"NotAllowed"}"#.to_string(),
    ]
    .join("\n");
    // One pipelined run of the case (no shrinking, which would ask for more).
    let args = [
        "-W".to_string(),
        "interactive".to_string(),
        "-v".to_string(),
        format!("T={table}"),
        CANNED.to_string(),
    ];
    let process = Process::start("awk", &args, Duration::from_secs(2)).expect("starts");
    let link = Link::new(process, 2);
    let make_link = Rc::clone(&link);
    let mut harness = DriveHarness::with(move || ProcessPlane::reset(&make_link), None);
    let failure = run_case(&mut harness, &link, &case, None, 8, None)
        .expect("answers read")
        .expect_err("fails");
    assert_eq!(failure.step, 2);
    assert_eq!(
        failure.to_string(),
        "step 3: task 1 · delete (by account A): \"instance held exactly while needed\" \
         violated: both accepted task 1 · delete (by account A), but task 1: instance: the \
         specification says not held (已删除 Deleted (DELETED)), the program says held"
    );
}

/// A wrong answer: its name, the protocol offered, the changes to the table.
type Scenario = (&'static str, u32, &'static [&'static str]);

/// The canned program answers the saved case as a conforming program would, pipelined and
/// exact; then each wrong answer is named in words.
#[test]
fn each_wrong_answer_is_named_in_words() {
    assert_eq!(canned("right-2", 2, &[]), "passed 1 cases");
    assert_eq!(canned("right-1", 1, &[]), "passed 1 cases");
    let wrong: &[Scenario] = &[
        ("not-json", 2, &["execute:1 not json"]),
        ("not-object", 2, &["execute:1 [1]"]),
        ("no-id", 2, &[r#"execute:1 {"answer":"accepted"}"#]),
        ("future-id", 2, &[r#"execute:1 {"id":99999}"#]),
        ("later-id", 2, &[r#"execute:1 {"id":{next}}"#]),
        ("half", 2, &[r#"execute:1 {"id":{id},"answer":"refused"}"#]),
        ("kind", 2, &[r#"execute:1 {"id":{id},"answer":"tasks"}"#]),
        ("bogus", 2, &[r#"execute:1 {"id":{id},"answer":"bogus"}"#]),
        ("reset", 2, &[r#"reset:1 {"id":{id},"answer":"nope"}"#]),
        ("reset-2", 2, &[r#"reset:2 {"id":{id},"answer":"ok"}"#]),
        (
            "reset-kind",
            2,
            &[r#"reset:2 {"id":{id},"answer":"tasks"}"#],
        ),
        ("reset-bad", 2, &[r#"reset:2 {"id":{id},"answer":7}"#]),
        (
            "lists",
            2,
            &[r#"lists:1 {"id":{id},"answer":"lists","lists":[]}"#],
        ),
        (
            "lists-kind",
            2,
            &[r#"lists:1 {"id":{id},"answer":"list","lists":[[1],[]]}"#],
        ),
        ("query", 2, &[r#"query:1 {"id":{id},"answer":"list"}"#]),
        (
            "tasks",
            2,
            &[r#"tasks:1 {"id":{id},"answer":"list","tasks":[],"arrears":[]}"#],
        ),
        (
            "unsaid",
            2,
            &[
                r#"execute:1 {"id":{id},"answer":"accepted","outcome":{"Task":{"task":1,"from":"Creating","to":"Creating","instance":"Unchanged","version":1}}}"#,
            ],
        ),
        (
            "unknown",
            2,
            &[r#"execute:2 {"id":{id},"answer":"unknown"}"#],
        ),
        (
            "query-null",
            2,
            &[r#"query:1 {"id":{id},"answer":"task","task":null}"#],
        ),
        (
            "query-null-1",
            1,
            &[r#"query:1 {"id":{id},"answer":"task","task":null}"#],
        ),
        ("skipped", 2, &["execute:1 <NONE>"]),
        ("silent", 2, &["execute:1 <STOP>"]),
        ("exit", 2, &["reset:1 <EXIT>"]),
        ("crash", 2, &["execute:2 <EXIT>"]),
        ("crash-1", 1, &["query:1 <EXIT>"]),
        (
            "crlf",
            2,
            &["reset:1 {\"id\":{id},\"answer\":\"ok\",\"protocol\":2}\r"],
        ),
        (
            "late",
            2,
            &[
                "reset:1 {\"id\":0,\"answer\":\"ok\"}<NL>{\"id\":{id},\"answer\":\"ok\",\"protocol\":2}",
            ],
        ),
        (
            "list-1",
            1,
            &[r#"list:1 {"id":{id},"answer":"task","tasks":[]}"#],
        ),
        ("query-1", 1, &[r#"query:1 {"id":{id},"answer":"list"}"#]),
        (
            "tasks-1",
            1,
            &[r#"tasks:3 {"id":{id},"answer":"lists","tasks":[],"arrears":[]}"#],
        ),
        ("execute-1", 1, &[r#"execute:1 {"id":{id},"answer":"ok"}"#]),
        ("reset-1", 1, &[r#"reset:2 {"id":{id},"answer":"tasks"}"#]),
        (
            "unknown-1",
            1,
            &[r#"execute:1 {"id":{id},"answer":"unknown"}"#],
        ),
        (
            "unknown-1-lost",
            1,
            &[
                r#"execute:1 {"id":{id},"answer":"unknown"}"#,
                r#"tasks:3 {"id":{id},"answer":"tasks","tasks":[],"arrears":[]}"#,
                r#"execute:2 {"id":{id},"answer":"refused","kind":"NotFound"}"#,
                r#"tasks:4 {"id":{id},"answer":"tasks","tasks":[],"arrears":[]}"#,
                r#"query:1 {"id":{id},"answer":"task","task":null}"#,
            ],
        ),
    ];
    // Two at a time: most of the time is waiting for the programs.
    let answers: Vec<String> = std::thread::scope(|scope| {
        let (first, second): (Vec<_>, Vec<_>) =
            wrong.iter().enumerate().partition(|(i, _)| i % 2 == 0);
        let run = |half: Vec<(usize, &Scenario)>| {
            half.into_iter()
                .map(|(i, (name, protocol, changes))| {
                    (i, format!("{name}: {}", canned(name, *protocol, changes)))
                })
                .collect::<Vec<_>>()
        };
        let other = scope.spawn(move || run(second));
        let mut all = run(first);
        all.extend(other.join().expect("no panic"));
        all.sort();
        all.into_iter().map(|(_, line)| line).collect()
    });
    let mut said = answers.join("\n");
    said.push('\n');
    // A generated case (not a saved one) on which the program crashes is shrunk by
    // replaying its prefixes from a fresh start, and saved.
    let _ = writeln!(
        said,
        "generated crash: {}",
        canned_run("generated", 2, &["execute:1 <EXIT>"], false)
    );
    pinned("wrong-answers.txt", &said);
}

/// A plain harness run (no `send` before the step): the plane sends the command itself
/// when the harness executes it, and asks an account's listing once a step, answering it
/// again from what it read.
#[test]
fn a_plain_run_sends_each_command_and_asks_each_listing_once() {
    let table = [
        r#"reset {"id":{id},"answer":"ok"}"#.to_string(),
        r#"create {"id":{id},"answer":"accepted","outcome":{"Task":{"task":1,"from":"Creating","to":"Creating","instance":"Unchanged","version":1}}}"#.to_string(),
        format!(r#"tasks {{"id":{{id}},"answer":"tasks","tasks":[{TASK}],"arrears":[]}}"#),
        r#"tasks0 {"id":{id},"answer":"tasks","tasks":[],"arrears":[]}"#.to_string(),
        r#"list:1 {"id":{id},"answer":"list","tasks":[1]}"#.to_string(),
        r#"list {"id":{id},"answer":"list","tasks":[7]}"#.to_string(),
    ]
    .join("\n");
    let args = [
        "-W".to_string(),
        "interactive".to_string(),
        "-v".to_string(),
        format!("T={table}"),
        CANNED.to_string(),
    ];
    let process = Process::start("awk", &args, Duration::from_secs(2)).expect("starts");
    let link = Link::new(process, 1);
    let mut plane = ProcessPlane::reset(&link);
    assert!(!plane.pipelined());
    assert_eq!(plane.tasks().count(), 0);
    let created = plane.execute(&Command::Create {
        account: crate::spec::AccountId(0),
        mode: crate::spec::Mode::Full,
    });
    assert!(created.is_ok(), "{created:?}");
    assert_eq!(plane.last_answer(), "accepted → Creating (version 1)");
    assert_eq!(plane.last_answered(), Answered::Accepted);
    assert_eq!(plane.tasks().count(), 1);
    let account = crate::spec::AccountId(0);
    let first: Vec<u64> = plane.listed(account).map(|id| id.0).collect();
    let again: Vec<u64> = plane.listed(account).map(|id| id.0).collect();
    assert_eq!((first, again), (vec![1], vec![1]));
    assert!(link.borrow().error().is_none());
}

/// Pipelined, the query answered with a step is the answer to that query only: another
/// account's or another task's is nothing.
#[test]
fn a_pipelined_query_answers_only_the_task_and_account_asked() {
    let args = [
        "-W".to_string(),
        "interactive".to_string(),
        "-v".to_string(),
        format!("T={}", table()),
        CANNED.to_string(),
    ];
    let process = Process::start("awk", &args, Duration::from_secs(2)).expect("starts");
    let link = Link::new(process, 2);
    let mut plane = ProcessPlane::reset(&link);
    assert!(plane.pipelined());
    let (a, b) = (crate::spec::AccountId(0), crate::spec::AccountId(1));
    let create = Command::Create {
        account: a,
        mode: crate::spec::Mode::Full,
    };
    let pause = Command::Task {
        account: a,
        task: crate::spec::TaskId(1),
        event: crate::spec::Event::Pause,
    };
    let first = plane.plan(&create, 2, false).expect("planned");
    let second = plane.plan(&pause, 0, false).expect("planned");
    plane.flush();
    assert!(plane.receive(&create, first));
    assert!(plane.receive(&pause, second));
    assert!(link.borrow().error().is_none());
    let one = crate::spec::TaskId(1);
    assert_eq!(plane.query(a, one).map(|task| task.version), Some(1));
    assert_eq!(plane.query(b, one), None);
    assert_eq!(plane.query(a, crate::spec::TaskId(2)), None);
    assert_eq!(plane.last_answer(), "refused NotAllowed");
    assert_eq!(plane.last_answered(), Answered::Refused);
}
