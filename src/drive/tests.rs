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

/// A link to the program of `options`, started, speaking up to `protocol`.
fn link_to(options: &Options, protocol: u32) -> Rc<RefCell<Link>> {
    let process = Process::start(&options.program, &options.args, options.timeout)
        .expect("the program starts");
    Link::new(process, protocol)
}

/// A harness whose plane is reset through `link`.
fn harness_on(link: &Rc<RefCell<Link>>) -> DriveHarness {
    let make_link = Rc::clone(link);
    DriveHarness::with(move || ProcessPlane::reset(&make_link), None)
}

/// Options for the [`CANNED`] program answering from `table`.
fn canned_options(table: &str) -> Options {
    let mut options = Options::new("awk", &["-W", "interactive", "-v"]);
    options.args.push(format!("T={table}"));
    options.args.push(CANNED.to_string());
    options
}

/// A link to the [`CANNED`] program answering from `table`, speaking up to `protocol`.
fn canned_link(table: &str, protocol: u32) -> Rc<RefCell<Link>> {
    let mut options = canned_options(table);
    options.timeout = Duration::from_secs(2);
    link_to(&options, protocol)
}

/// A case of account A: a full-only creation, then `events` addressed to its task.
fn case_of_events(events: &[crate::spec::Event]) -> Case {
    use crate::spec::{AccountId, Mode, TaskId};
    Case {
        accounts: 1,
        snapshot_at: None,
        commands: std::iter::once(Command::Create {
            account: AccountId(0),
            mode: Mode::Full,
        })
        .chain(events.iter().map(|&event| Command::Task {
            account: AccountId(0),
            task: TaskId(1),
            event,
        }))
        .collect(),
    }
}

/// `options` with the wrapper logging every request it receives to a fresh file beside the
/// save directory, and that file.
fn logged(options: &Options) -> (Options, PathBuf) {
    let log = options.save.with_extension("log");
    let _ = std::fs::remove_file(&log);
    let mut logged = options.clone();
    logged
        .args
        .extend(["--log".to_string(), log.display().to_string()]);
    (logged, log)
}

/// A run of `options` in which the program answers the `nth` reset it receives wrongly
/// stops on that answer.
fn assert_wrong_reset_is_judged(options: &Options, nth: u32) {
    let mut wrong = options.clone();
    wrong.args.extend([
        "--say-nth".to_string(),
        format!(r#"reset:{nth}:{{"id":{{id}},"answer":"nope"}}"#),
    ]);
    let error = run(&wrong).expect_err("a wrong answer to a reset");
    assert!(
        error
            .message
            .starts_with(r#"python3 answered reset with {"answer":"nope","id":"#),
        "{}",
        error.message
    );
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
    let Some(options) = options("clean", &[], 8) else {
        return;
    };
    let (mut options, log) = logged(&options);
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
    let Some(options) = options("exact", &[], 8) else {
        return;
    };
    let (mut options, log) = logged(&options);
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
    let (logged, log) = logged(&options);
    let report = run(&logged).expect("runs");
    // What shrinking cost: it replays prefixes of the case up to the failing step, no more.
    assert_eq!(
        format!("{:?}", ops(&log)),
        r#"{"execute": 41, "list": 6, "lists": 22, "query": 28, "reset": 12, "tasks": 13}"#
    );
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
    let (logged, log) = logged(&options);
    let report = run(&logged).expect("runs");
    // What the tour and the shrinking cost: the shortest case of the failing pair is run
    // only when it is shorter than the stretch up to the failure.
    assert_eq!(
        format!("{:?}", ops(&log)),
        r#"{"execute": 2541, "list": 10, "lists": 286, "query": 2292, "reset": 39, "tasks": 341}"#
    );
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
    let link = link_to(options, options.protocol);
    let mut harness = harness_on(&link);
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
    let mut options = canned_options(table);
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
    let link = canned_link(&table, 2);
    let mut harness = harness_on(&link);
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
    let link = canned_link(&table, 1);
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
    let link = canned_link(&table(), 2);
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

/// The letters of a case (as [`cases_of`] writes them) up to the end of its `steps`th
/// step: the requests written for those steps.
fn requests_of_steps(case: &str, steps: usize) -> usize {
    case.match_indices('x')
        .nth(steps)
        .map_or(case.len(), |(at, _)| at)
}

/// Cases longer than the window (64 steps), pipelined: before it reads an answer, the
/// driver writes the requests of the first 64 steps and no more (a program that holds its
/// answers until it has read all of them is answered; one that waits for one request more
/// hangs); it refills the window as the answers come, and a case whose first requests
/// were sent ahead starts from its own reset.
#[test]
fn a_case_longer_than_the_window_is_sent_64_steps_ahead() {
    let Some(mut options) = options("window", &[], 3) else {
        return;
    };
    options.steps = 300;
    let (logged, log) = logged(&options);
    let report = run(&logged).expect("runs");
    assert!(report.found.is_none());
    assert_eq!((report.regressions, report.cases), (0, 3));
    let cases = cases_of(&log);
    let lengths: Vec<usize> = cases.iter().map(|case| case.matches('x').count()).collect();
    assert_eq!(lengths, [0, 115, 27, 194]);
    assert_eq!(
        format!("{:?}", ops(&log)),
        r#"{"execute": 336, "lists": 215, "query": 218, "reset": 4, "tasks": 44}"#
    );
    // After the first reset, answered alone: the case's reset and its first 64 steps.
    let ahead = 1 + requests_of_steps(&cases[1], WINDOW);
    assert_eq!(ahead, 142);
    let mut holding = options.clone();
    holding
        .args
        .extend(["--hold".to_string(), ahead.to_string()]);
    let held = run(&holding).expect("answered once the window is read");
    assert!(held.found.is_none());
    assert_eq!(held.cases, 3);
    let mut waiting = options.clone();
    waiting
        .args
        .extend(["--hold".to_string(), (ahead + 1).to_string()]);
    waiting.timeout = Duration::from_millis(500);
    let error = run(&waiting).expect_err("waits for a request never sent");
    assert!(
        error.message.starts_with(
            "python3 hangs: no answer to reset within 500 ms (--timeout) — at the case's \
             reset: case 1 (115 steps)"
        ),
        "{}",
        error.message
    );
    // A wrong answer at step 50 of the first case: by then the window was refilled once,
    // when half of it had been answered (step 32), to step 96, and no further.
    // (Each run that fails saves its case, which the next would replay first.)
    let _ = std::fs::remove_dir_all(&options.save);
    let _ = std::fs::remove_file(&log);
    let mut failing = logged.clone();
    failing.args.extend([
        "--say-nth".to_string(),
        r#"execute:50:{"id":{id},"answer":"refused","kind":"NotFound"}"#.to_string(),
    ]);
    let found = run(&failing).expect("runs").found.expect("caught");
    assert_eq!(found.failure.step, 49);
    assert_eq!(cases_of(&log)[1].matches('x').count(), 96);
    // The third case's reset was sent ahead with the window of its first 64 steps: its
    // answer is read and judged all the same.
    let _ = std::fs::remove_dir_all(&options.save);
    assert_wrong_reset_is_judged(&options, 4);
}

/// A saved case of no commands (what a crash at a case's reset is saved as) is replayed,
/// pipelined, as its reset alone, and the case after it starts from a reset of its own.
#[test]
fn a_saved_empty_case_is_its_reset_alone() {
    let Some(options) = options("empty", &[], 1) else {
        return;
    };
    std::fs::create_dir_all(&options.save).expect("a directory");
    let empty = Case {
        accounts: 1,
        snapshot_at: None,
        commands: Vec::new(),
    };
    std::fs::write(
        options.save.join("drive-seed0-case1.json"),
        to_json(&Regression::new("empty".to_string(), &empty, None)),
    )
    .expect("saved");
    let (options, log) = logged(&options);
    let report = run(&options).expect("runs");
    assert!(report.found.is_none());
    assert_eq!((report.regressions, report.cases), (1, 2));
    let cases = cases_of(&log);
    assert_eq!(
        cases.len(),
        3,
        "the first reset, the empty case's, the next case's"
    );
    assert_eq!(cases[1], "");
    assert_eq!(cases[2].matches('x').count(), 16);
    // The empty case's reset is answered and judged before the next case starts.
    assert_wrong_reset_is_judged(&options, 2);
}

/// The trace of an exact run says, for a command to a task other than the last one
/// created, what the specification does with that task.
#[test]
fn the_trace_names_the_status_of_the_task_a_command_addresses() {
    let Some(options) = options("trace", &["--protocol", "1"], 0) else {
        return;
    };
    use crate::spec::{AccountId, Event, Mode, TaskId};
    let case = Case {
        accounts: 1,
        snapshot_at: None,
        commands: vec![
            Command::Create {
                account: AccountId(0),
                mode: Mode::Full,
            },
            Command::Create {
                account: AccountId(0),
                mode: Mode::Full,
            },
            Command::Task {
                account: AccountId(0),
                task: TaskId(1),
                event: Event::InstanceReady,
            },
            Command::Task {
                account: AccountId(0),
                task: TaskId(1),
                event: Event::Pause,
            },
        ],
    };
    let link = link_to(&options, 1);
    let mut harness = harness_on(&link);
    let mut lines = Vec::new();
    let ran = run_case(&mut harness, &link, &case, Some(&mut lines), 8, None).expect("runs");
    assert!(ran.is_ok());
    let said: Vec<(&str, &str)> = lines
        .iter()
        .map(|line| (line.spec.as_str(), line.program.as_str()))
        .collect();
    assert_eq!(
        said,
        [
            ("accepted → Creating", "accepted → Creating (version 1)"),
            ("accepted → Creating", "accepted → Creating (version 1)"),
            (
                "accepted → Configuration",
                "accepted → Configuration (version 2)"
            ),
            ("refused NotAllowed", "refused NotAllowed")
        ]
    );
}

/// A crash late in a long case: the shortest prefix that crashes from a fresh start is
/// found by halving, and the message names its last command.
#[test]
fn a_crash_late_in_a_case_is_shrunk_to_its_shortest_prefix() {
    let Some(mut options) = options("late-crash", &["--exit-at", "200"], 1) else {
        return;
    };
    options.steps = 300;
    let error = run(&options).expect_err("crashes");
    assert_eq!(
        generic(&error.message, &options),
        "python3 crashed in the middle of a case (at execute): exit status: 3; stderr: giving \
         up at 200 — at step 47, task 1 · recovery done (by account A): case 1 (115 steps) \
         shrunk to 47 steps by replaying it from a fresh start; saved the regression \
         SAVE/drive-seed0-case1.json (replayed first by the next drive; no history: a \
         poller's records have no crash)"
    );
}

/// A crash is shrunk from a shorter case that crashes alike (the tour's shortest case to
/// the pair that crashed) when it is strictly shorter than the prefix that crashed, and
/// from that prefix otherwise; the regression saved is the case shrunk.
#[test]
fn a_crash_is_shrunk_from_a_strictly_shorter_case() {
    use crate::spec::Event;
    let Some(options) = options(
        "crash-shorter",
        &["--bug", "crashes-on-paused-force-end"],
        0,
    ) else {
        return;
    };
    use Event::{ForceEnd, InstanceReady, Pause, Resume, StartNow, StartSucceeded};
    let shortest = case_of_events(&[InstanceReady, StartNow, StartSucceeded, Pause, ForceEnd]);
    let longer = case_of_events(&[
        InstanceReady,
        Pause,
        StartNow,
        Resume,
        StartSucceeded,
        Pause,
        ForceEnd,
    ]);
    let as_long = case_of_events(&[
        InstanceReady,
        Resume,
        StartNow,
        StartSucceeded,
        Pause,
        ForceEnd,
    ]);
    let other = case_of_events(&[
        InstanceReady,
        StartNow,
        Resume,
        StartSucceeded,
        Pause,
        ForceEnd,
    ]);
    let failed = |case: &Case, shorter: &Case| {
        let link = link_to(&options, 2);
        let error = DriveError {
            message: "crashed".to_string(),
        };
        let shorter = shorter.clone();
        let message = program_failed(
            &options,
            &link,
            (case.clone(), 4, false),
            None,
            error,
            |step| {
                assert_eq!(
                    step + 1,
                    case.commands.len(),
                    "asked at the step that crashed"
                );
                Some(shorter.clone())
            },
        )
        .message;
        let saved = load_all(&options.save).expect("reads");
        assert_eq!(saved.len(), 1);
        let _ = std::fs::remove_dir_all(&options.save);
        let message = generic(&message, &options);
        let (head, tail) = message.split_once("; stderr:").expect("a standard error");
        let (_, tail) = tail.split_once(" — ").expect("where");
        (format!("{head} — {tail}"), saved[0].1.case())
    };
    let (said, saved) = failed(&longer, &shortest);
    assert_eq!(
        said,
        "python3 crashed in the middle of a case (at execute): exit status: 1 — at step 6, \
         task 1 · force end (by account A): case 5 (8 steps) shrunk to 6 steps by replaying \
         it from a fresh start; saved the regression SAVE/drive-seed0-case5.json (replayed \
         first by the next drive; no history: a poller's records have no crash)"
    );
    assert_eq!(saved, shortest);
    let (said, saved) = failed(&as_long, &other);
    assert!(
        said.contains("case 5 (7 steps) shrunk to 7 steps"),
        "{said}"
    );
    assert_eq!(saved, as_long);
}

/// `--cover-fleet`: after the whole single-task tour, the fleet tour's stretches are
/// numbered on from it; a failure in the fleet is counted at its stretch and step, saved
/// under the stretch's number, and shrunk from the fleet tour's shortest case. (Named for
/// the fleet tour: unoptimised, as in the mutation campaign, building it takes 19 s, so the
/// campaign runs this test only on the mutants of `drive` itself.)
#[test]
fn fleet_tour_stretches_are_numbered_after_the_single_task_tour() {
    let singles = Tour::single_task();
    let single_commands = singles.count(None).commands;
    // A wrong refusal of the fleet tour's tenth command.
    let wrong = format!(
        "execute:{}:{{\"id\":{{id}},\"answer\":\"refused\",\"kind\":\"NotFound\"}}",
        single_commands + 10
    );
    let Some(mut options) = options("fleet", &["--say-nth", &wrong], 0) else {
        return;
    };
    options.cover_fleet = true;
    let mut totals = std::collections::BTreeSet::new();
    let report = drive(&options, |_, total, _| {
        totals.insert(total);
    })
    .expect("runs");
    let found = report.found.expect("caught");
    // The cases to run, as the progress counts them: every stretch of both tours.
    assert_eq!(totals.into_iter().collect::<Vec<_>>(), [121 + 84_270]);
    assert_eq!(report.tour, Some(singles.count(None)));
    // The tour's 121 stretches, then the fleet's first, which fails at its tenth command.
    assert_eq!(singles.segments.len(), 121);
    assert_eq!(report.cases, 122);
    assert!(report.fleet_elapsed.is_some());
    assert_eq!(
        format!("{:?}", report.fleet_tour),
        "Some(FleetCount { states: 52444, covered: 10, total: 3526856, commands: 10, \
         resets: 0 })"
    );
    assert_eq!(
        found.regression,
        options.save.join("drive-cover-stretch122.json")
    );
    assert_eq!(found.failure.step, 9);
    assert_eq!(found.original_length, 1034);
    // The wrong answer is not given again: the case stays the stretch up to the failure.
    assert!(!found.recurred);
    assert_eq!(found.case.commands.len(), 10);
}

/// A saved history that `validate` does not reject says why from the failing step's two
/// answers: both accepted (landing apart, or alike with a version or the tasks listed as
/// changed differing), both refused (a refusal's kind), a system event accepted or refused
/// against the specification; a failure that did not happen again in the replay the
/// history records says that; else what such failures show in.
#[test]
fn an_unrejected_history_says_why_from_the_failing_step() {
    use crate::spec::{AccountId, Event, TaskId};
    let on = |event| Command::Task {
        account: AccountId(0),
        task: TaskId(1),
        event,
    };
    let found = |command: Command, spec: &str, program: &str, answered: Answered| Found {
        case: Case {
            accounts: 1,
            snapshot_at: None,
            commands: vec![command],
        },
        failure: Failure {
            step: 0,
            command: Some(command),
            property: crate::fuzz::Broke::Claim(ENGINE_REFINES_SPEC),
            detail: String::new(),
        },
        steps: vec![StepLine {
            command,
            spec: spec.to_string(),
            program: program.to_string(),
            answered,
            tasks_after: Vec::new(),
        }],
        original_length: 1,
        regression: PathBuf::new(),
        history: PathBuf::new(),
        rejected: None,
        recurred: true,
        stderr: None,
    };
    let why =
        |command, spec, program, answered| found(command, spec, program, answered).unrecorded();
    let refused = "refused NotAllowed";
    assert_eq!(
        why(
            on(Event::Pause),
            refused,
            "refused NotFound",
            Answered::Refused
        ),
        "both refused the failing step, task 1 · pause (by account A): what differs (a \
         refusal's kind, or a change the refusal made) a poller does not record, or steps it \
         does not see explain"
    );
    assert_eq!(
        why(
            on(Event::FullDone),
            "accepted → FullMigrationComplete",
            "refused NotAllowed",
            Answered::Refused
        ),
        "the failing step, task 1 · full done (by account A), is a system event that the \
         program refused and the specification accepts: a poller does not record system \
         events, only the statuses that follow"
    );
    assert_eq!(
        why(
            on(Event::Pause),
            "accepted → Paused",
            "accepted → Paused (version 7)",
            Answered::Accepted
        ),
        "both accepted the failing step, task 1 · pause (by account A), landing in the same \
         status: what differs is beside it (a version, the tasks an answer lists as changed), \
         which a poller does not record"
    );
    assert_eq!(
        why(
            on(Event::FullDone),
            "accepted → FullMigrationComplete",
            "accepted → IncrementalMigration (version 5)",
            Answered::Accepted
        ),
        "both accepted the failing step, task 1 · full done (by account A), the program \
         landing in 增量迁移 Incremental migration (INCRE_TRANSFER_STARTED) where the \
         specification lands in 全量迁移完成 Full migration complete (FULL_TRANSFER_COMPLETE): \
         steps a poller does not see explain to it the statuses it read"
    );
    let arrears = Command::Arrears {
        account: AccountId(0),
    };
    assert_eq!(
        why(arrears, "accepted", "accepted", Answered::Accepted),
        "both accepted the failing step, account A · arrears: what differs is not a status an \
         answer names (a version, the tasks an answer lists as changed), and a poller does not \
         record it"
    );
    let generic = "the failure shows only in what the program answered: a system event \
                   accepted or refused, a version, a refusal's kind, the tasks an answer lists \
                   as changed";
    // A user operation accepted against the specification, an indefinite answer, a
    // failure without its step or with another step's line: what such failures show in.
    assert_eq!(
        why(
            on(Event::Pause),
            refused,
            "accepted → Paused",
            Answered::Accepted
        ),
        generic
    );
    assert_eq!(
        why(
            on(Event::FullDone),
            refused,
            "unknown",
            Answered::Indefinite
        ),
        generic
    );
    let base = found(on(Event::Pause), "accepted", "accepted", Answered::Accepted);
    let mut stepless = base.clone();
    stepless.steps.clear();
    assert_eq!(stepless.unrecorded(), generic);
    let mut commandless = base.clone();
    commandless.failure.command = None;
    assert_eq!(commandless.unrecorded(), generic);
    let mut another = base.clone();
    another.steps[0].command = on(Event::Resume);
    assert_eq!(another.unrecorded(), generic);
    assert!(commandless.to_string().ends_with(&format!(
        "is explained by the specification with steps a poller does not see; {generic})"
    )));
    // The replay the history records passed.
    let mut passed = base;
    passed.recurred = false;
    assert_eq!(
        passed.unrecorded(),
        "the history records the replay of the shrunk case, in which the failure did not \
         happen again"
    );
}

/// Shrinking starts from the case up to its failing step, or from a shorter case that
/// fails alike (the tour's shortest case to the pair) only when that is strictly shorter:
/// one of the same length is not even run. What shrinking sent is pinned.
#[test]
fn shrinking_starts_from_a_shortest_case_only_when_strictly_shorter() {
    use crate::spec::Event;
    // Fails at its third step (a version counted twice), then goes on.
    let failing = case_of_events(&[Event::Pause, Event::InstanceReady, Event::StartNow]);
    let as_long = case_of_events(&[Event::Resume, Event::InstanceReady]);
    let shorter = case_of_events(&[Event::InstanceReady]);
    let shrink = |shortest: &Case| {
        let options = options("shrink-start", &["--bug", "ready-counts-twice"], 0)?;
        let (options, log) = logged(&options);
        let link = link_to(&options, 2);
        let first = Failure {
            step: 2,
            command: Some(failing.commands[2]),
            property: crate::fuzz::Broke::Claim(ENGINE_REFINES_SPEC),
            detail: String::new(),
        };
        let found = shrink_and_save(
            &options,
            &link,
            failing.clone(),
            first,
            0,
            Some(shortest.clone()),
        )
        .expect("shrinks");
        drop(link);
        let _ = std::fs::remove_dir_all(&options.save);
        Some((found.case, format!("{:?}", ops(&log))))
    };
    let Some((shrunk, sent)) = shrink(&as_long) else {
        return;
    };
    assert_eq!(shrunk, shorter);
    assert_eq!(
        sent,
        r#"{"execute": 11, "list": 4, "lists": 5, "query": 5, "reset": 11, "tasks": 10}"#
    );
    let (shrunk, sent) = shrink(&shorter).expect("runs");
    assert_eq!(shrunk, shorter);
    // The shorter case, run once and taken: fewer replays than from the case's prefix.
    assert_eq!(
        sent,
        r#"{"execute": 6, "list": 4, "lists": 3, "query": 2, "reset": 6, "tasks": 6}"#
    );
}
