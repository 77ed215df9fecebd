//! The judge held to account: its fast path to its general path, its counts and its
//! explanations to committed traces word for word, its memory figure to a known history.
//!
//! These are library tests on purpose: a mutation campaign over `src/history/` runs them
//! for every mutant, and they need no binary.

use std::fmt::Write as _;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use super::*;
use crate::history::tables::op_index;
use crate::history::validate::{Outcome, Settings, Validator};
use crate::spec::{ApiCode, Mode, observe, step};

/// Judges one history text with the given settings, with or without the fast path.
fn judge_text(text: &str, settings: Settings, fast: bool) -> Outcome {
    let mut validator = Validator::new(settings);
    validator.judge_mut().fast = fast;
    // A stop (a malformed line) is reported in the outcome; the differential compares it.
    let _ = validator.read(BufReader::new(text.as_bytes()), "history.jsonl");
    validator.finish()
}

/// Everything a judge concluded, as text: the counts, each verdict kept in full, the
/// gaps, the jobs stuck past a deadline.
fn verdicts(outcome: &Outcome) -> String {
    let judge = &outcome.judge;
    let mut out = String::new();
    let c = &judge.counts;
    writeln!(
        out,
        "jobs {} violated {} | records {} polls {} commands {} timeline {} billing {} \
         after-violation {} divergences {} never-applied {} (evicted {}) outside {} \
         transient-errors {}",
        judge.job_count(),
        judge.violated_jobs(),
        c.records,
        c.polls,
        c.commands,
        c.timeline,
        c.billing,
        c.after_violation,
        c.divergences,
        c.never_applied,
        c.never_applied_evicted,
        c.outside,
        c.transient_errors,
    )
    .unwrap();
    let answers: Vec<String> = c
        .by_answer
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(a, n)| format!("{} {n}", answer_of(a)))
        .collect();
    writeln!(out, "answers: {}", answers.join(", ")).unwrap();
    if !c.outside_by_name.is_empty() {
        writeln!(out, "outside: {:?}", c.outside_by_name).unwrap();
    }
    let t = tables();
    for v in &judge.violations {
        writeln!(
            out,
            "violation {} {}: line {} {} ({}) after {}; {} explained",
            v.job,
            v.claim,
            line_of(v.record.line),
            v.record.what,
            v.record.time,
            v.previous.as_ref().map_or("nothing".into(), |p| format!(
                "line {} {}",
                line_of(p.line),
                p.what
            )),
            v.explained_prefix,
        )
        .unwrap();
        for p in &v.pending {
            writeln!(out, "  pending: line {} {}", line_of(p.line), p.what).unwrap();
        }
        let possible: Vec<String> = v
            .possible
            .iter()
            .map(|s| {
                format!(
                    "{}#{}",
                    observe(s),
                    t.index_of(s).map_or("?".into(), |i| i.to_string())
                )
            })
            .collect();
        writeln!(out, "  possible: {}", possible.join(", ")).unwrap();
        let next: Vec<String> = v.allowed_next.iter().map(|o| o.to_string()).collect();
        writeln!(out, "  allowed next: {}", next.join(", ")).unwrap();
    }
    for d in &judge.divergences {
        writeln!(
            out,
            "divergence {} line {}: offers {:?} withholds {:?}",
            d.job,
            line_of(d.line),
            d.offers_forbidden,
            d.withholds_allowed
        )
        .unwrap();
    }
    for n in &judge.never_applied {
        writeln!(
            out,
            "never applied {} line {} {} at {}",
            n.job,
            line_of(n.line),
            n.op,
            n.time
        )
        .unwrap();
    }
    for g in &judge.gaps {
        writeln!(
            out,
            "gap {} line {}: {} -> {}: {}",
            g.job,
            line_of(g.line),
            g.from,
            g.to,
            g.steps.join(", ")
        )
        .unwrap();
    }
    for s in &judge.stuck {
        writeln!(
            out,
            "stuck {} {}: {} bound {} lines {}..{} ({}..{})",
            s.job,
            s.claim,
            s.code,
            s.bound,
            line_of(s.first_line),
            line_of(s.last_line),
            s.first_time,
            s.last_time
        )
        .unwrap();
    }
    for k in &judge.trace {
        writeln!(
            out,
            "kept line {} {} {:?} {} states",
            line_of(k.seen.line),
            k.seen.what,
            k.asks,
            k.after.count_ones()
        )
        .unwrap();
    }
    for stop in &outcome.stops {
        writeln!(out, "stop: {stop}").unwrap();
    }
    out
}

fn line_of(location: u64) -> u64 {
    crate::history::validate::line_of(location)
}

/// The judge's bookkeeping of every job, for the differential test.
fn bookkeeping(judge: &Judge) -> String {
    let mut out = format!("{:?}\n", judge.jobs);
    for job in &judge.jobs {
        if job.pending != NO_PENDING {
            let config = judge.load(job);
            writeln!(
                out,
                "{:?} {:?} {:?} {:?} {:?} {:?}",
                config.sets,
                config.before,
                &config.ops[..config.count],
                &config.lines[..config.count],
                &config.sent[..config.count],
                &config.refusers[..config.count]
            )
            .unwrap();
        }
    }
    out
}

/// A tiny deterministic generator for the perturbations.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, per_thousand: u64) -> bool {
        self.next() % 1000 < per_thousand
    }
}

const ACTIONS: [&str; 7] = [
    "START",
    "PAUSE",
    "RETRY",
    "RESET",
    "DELETE",
    "MODIFY_CONFIGURATION",
    "CHANGE_FLAVOR",
];
const MODES: [&str; 3] = ["FULL_TRANS", "FULL_INCR_TRANS", "INCR_TRANS"];

/// One record of a random history, as a JSON line.
fn line(out: &mut String, fields: serde_json::Value) {
    writeln!(out, "{fields}").unwrap();
}

/// A random run of a few tasks over two accounts, recorded as a poller and a control
/// plane would record it (polls, commands with their answers, billing), then damaged at
/// random by the seed's rate: other codes, a second poll of the same instant,
/// `available_actions`, a mode or account changed, lost lines, other header statements.
fn random_history(seed: u64) -> String {
    use serde_json::json;
    let t = tables();
    let mut dice = Dice(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let damage = [0, 5, 30, 80][(seed % 4) as usize];
    let mut out = String::new();
    let mut header = json!({"kind": "header", "format": crate::history::FORMAT});
    match seed % 5 {
        0 => {}
        1 => header["commands"] = "complete".into(),
        2 => {
            header["commands"] = "complete".into();
            header["billing"] = "recorded".into();
        }
        3 => {
            header["billing"] = "recorded".into();
            header["apply_within"] = "2m".into();
        }
        _ => {
            header["commands"] = "complete".into();
            header["apply_within"] = "30m".into();
        }
    }
    let complete = header.get("commands").is_some();
    line(&mut out, header);
    let jobs = 1 + dice.below(4);
    let mut states: Vec<Option<TaskSpec>> = vec![None; jobs];
    let mut queued: Vec<Vec<Event>> = vec![Vec::new(); jobs];
    let mut arrears = [false; 2];
    let mut time: i64 = 1_740_787_200_000;
    let system: Vec<Event> = Event::ON_TASK
        .into_iter()
        .filter(|e| e.source() == crate::spec::Source::System)
        .collect();
    for _ in 0..80 + dice.below(240) {
        time += 1000 * (1 + dice.below(300) as i64);
        let j = dice.below(jobs);
        let id = format!("t{j}");
        let account = j % 2;
        let Some(state) = states[j] else {
            let created = TaskSpec::created(Mode::ALL[dice.below(3)]);
            states[j] = Some(created);
            line(
                &mut out,
                json!({"kind": "status", "job": id, "t": time, "status": "CREATING",
                       "mode": MODES[Mode::ALL.iter().position(|m| *m == created.mode).unwrap()],
                       "account": format!("acct-{account}")}),
            );
            continue;
        };
        let apply = |states: &mut Vec<Option<TaskSpec>>, j: usize, next: TaskSpec| {
            let frozen = if arrears[account] {
                step(&next, Event::AccountInArrears).unwrap_or(next)
            } else {
                next
            };
            states[j] = Some(frozen);
        };
        match dice.below(12) {
            0..=3 if !queued[j].is_empty() && dice.below(2) == 0 => {
                // The oldest waiting command takes effect, if the task still accepts it.
                let op = queued[j].remove(0);
                if let Some(next) = step(&state, op) {
                    apply(&mut states, j, next);
                }
            }
            0..=3 => {
                let accepted: Vec<TaskSpec> =
                    system.iter().filter_map(|e| step(&state, *e)).collect();
                if !accepted.is_empty() {
                    let next = accepted[dice.below(accepted.len())];
                    apply(&mut states, j, next);
                }
            }
            4..=6 => {
                let op = USER_OPS[dice.below(USER_OPS.len())];
                let next = step(&state, op);
                let answer = match (next, dice.below(20)) {
                    (_, 0) => "indefinite",
                    (Some(_), _) => "accepted",
                    (None, _) => "refused",
                };
                let mut command = json!({"kind": "command", "job": id, "t": time,
                                         "op": format!("{op:?}"), "answer": answer});
                // Some in the API's own words (brief D.3.1).
                match (op, dice.below(3)) {
                    (Event::Pause, 0) => command["op"] = "stop".into(),
                    (Event::Resume | Event::Retry, 0) => command["op"] = "restart".into(),
                    (Event::End, 0) => {
                        command["call"] = "stop_job_action".into();
                        command.as_object_mut().unwrap().remove("op");
                    }
                    (Event::ForceEnd, 0) => {
                        command["call"] = "stop_job_action".into();
                        command["is_force_stop"] = true.into();
                        command.as_object_mut().unwrap().remove("op");
                    }
                    (Event::Delete, 0) => {
                        command["call"] = "delete_job".into();
                        command.as_object_mut().unwrap().remove("op");
                    }
                    _ => {}
                }
                if answer == "refused" {
                    command["error_code"] = "DRS.M05006".into();
                }
                // Under a header that says every command is recorded, every one is.
                if complete || dice.chance(900) {
                    line(&mut out, command);
                }
                // Applied at once, or later (several may wait together), or never (the
                // service ignored it).
                let when = dice.below(10);
                let applied = next.is_some() && when >= 5;
                if let Some(next) = next {
                    match when {
                        0 => {}
                        1..=4 => queued[j].push(op),
                        _ => apply(&mut states, j, next),
                    }
                }
                // The service's timeline: sometimes, what happened (an operation that
                // waits shows no entry).
                if dice.chance(250) && (applied || next.is_none()) {
                    let result = if applied { "success" } else { "failed" };
                    line(
                        &mut out,
                        json!({"kind": "timeline", "job": id, "t": time + 500,
                               "name": format!("{op:?}"), "result": result}),
                    );
                }
                if dice.chance(30) {
                    line(
                        &mut out,
                        json!({"kind": "timeline", "job": id, "t": time + 600,
                               "name": "batch_set_speed", "result": "success"}),
                    );
                }
            }
            7 => {
                arrears[account] = !arrears[account];
                let (event, word) = if arrears[account] {
                    (Event::AccountInArrears, "arrears")
                } else {
                    (Event::AccountRecharged, "recharged")
                };
                line(
                    &mut out,
                    json!({"kind": "billing", "account": format!("acct-{account}"), "t": time,
                           "event": word}),
                );
                for (k, task) in states.iter_mut().enumerate() {
                    if k % 2 == account
                        && let Some(task) = task
                    {
                        *task = step(task, event).unwrap_or(*task);
                    }
                }
            }
            _ => {
                let i = t.index_of(&state).unwrap();
                let shown: Vec<usize> = (0..ANSWER_COUNT)
                    .filter(|&a| t.shows[a] & 1 << i != 0)
                    .collect();
                let a = shown[dice.below(shown.len())];
                let mut poll = json!({"kind": "status", "job": id, "t": time});
                set_answer(&mut poll, answer_of(a));
                if dice.chance(300) {
                    let offered: Vec<&str> = ACTIONS
                        .iter()
                        .copied()
                        .filter(|_| dice.chance(400))
                        .collect();
                    poll["available_actions"] = offered.into();
                }
                damaged(&mut out, poll, &mut dice, damage);
            }
        }
    }
    out
}

fn set_answer(poll: &mut serde_json::Value, answer: Answer) {
    let record = poll.as_object_mut().unwrap();
    if answer == Answer::NotFound {
        record.remove("status");
        record.insert("error_code".into(), crate::spec::NOT_FOUND_ERRORS[0].into());
    } else {
        record.remove("error_code");
        record.insert("status".into(), answer.to_string().into());
    }
}

/// Writes a poll, damaged at `rate` per thousand in one of several ways.
fn damaged(out: &mut String, mut poll: serde_json::Value, dice: &mut Dice, rate: u64) {
    if dice.chance(rate) {
        return;
    }
    if dice.chance(rate) {
        set_answer(&mut poll, answer_of(dice.below(ANSWER_COUNT)));
    }
    if dice.chance(rate / 3) {
        poll["mode"] = MODES[dice.below(3)].into();
    }
    if dice.chance(rate / 3) {
        poll["account"] = format!("acct-{}", dice.below(3)).into();
    }
    line(out, poll.clone());
    if dice.chance(rate * 2) {
        // A second poll of the same instant that shows something else.
        set_answer(&mut poll, answer_of(dice.below(ANSWER_COUNT)));
        line(out, poll);
    }
}

#[test]
fn the_fast_path_of_a_poll_concludes_what_the_general_path_concludes() {
    let (mut violations, mut divergences, mut never_applied, mut stuck) = (0, 0, 0, 0);
    for seed in 0..400u64 {
        let text = random_history(seed);
        let mut settings = Settings::default();
        if seed % 3 == 0 {
            settings.deadlines = Some(crate::history::deadline::Deadlines::default());
        }
        let fast = judge_text(&text, settings.clone(), true);
        let general = judge_text(&text, settings, false);
        assert_eq!(verdicts(&fast), verdicts(&general), "seed {seed}:\n{text}");
        assert_eq!(
            bookkeeping(&fast.judge),
            bookkeeping(&general.judge),
            "seed {seed}:\n{text}"
        );
        violations += fast.judge.violated_jobs();
        divergences += fast.judge.counts.divergences;
        never_applied += fast.judge.counts.never_applied;
        stuck += fast.judge.stuck.len();
    }
    // The histories reach the general path's verdicts, not only clean runs.
    assert!(violations > 200, "only {violations} violations");
    assert!(divergences > 1000, "only {divergences} divergences");
    assert!(never_applied > 2, "only {never_applied} never applied");
    assert!(stuck > 10, "only {stuck} stuck");
}

#[test]
fn most_undamaged_random_histories_are_consistent() {
    // The generator is a run of the specification: with no damage, no history breaks a
    // claim (a history whose command was never applied may; those are few).
    let mut clean = 0;
    for seed in (0..200u64).filter(|s| s % 4 == 0) {
        let outcome = judge_text(&random_history(seed), Settings::default(), true);
        if outcome.judge.violated_jobs() == 0 {
            clean += 1;
        }
    }
    assert!(
        clean >= 40,
        "only {clean} of 50 undamaged histories are consistent"
    );
}

/// The committed traces, by name.
fn traces() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/traces");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    out.sort();
    out
}

#[test]
fn every_committed_trace_is_judged_word_for_word_as_pinned() {
    let mut all = String::new();
    for path in traces() {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        let plain = judge_text(&text, Settings::default(), true);
        let explained = judge_text(
            &text,
            Settings {
                explain: true,
                ..Settings::default()
            },
            true,
        );
        // Explaining adds the gaps and changes no verdict.
        let without_gaps: String = verdicts(&explained)
            .lines()
            .filter(|l| !l.starts_with("gap "))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(verdicts(&plain), without_gaps, "{name}");
        writeln!(all, "== {name}\n{}", verdicts(&explained)).unwrap();
    }
    expect_test::expect_file!["../../tests/traces/judged.txt"].assert_eq(&all);
}

#[test]
fn bytes_in_flight_of_a_known_history_are_known() {
    // 1,000 jobs with 10-character ids and nothing pending: the jobs' vector holds 1,024
    // jobs of 80 bytes (81,920 B); each id takes 16 bytes rounded plus its 16-byte box
    // (32,000 B); the id map holds 1,792 entries of 24 bytes and a control byte (44,800 B).
    assert_eq!(size_of::<Job>(), 80);
    assert_eq!(size_of::<(Box<str>, u32)>(), 24);
    let mut text = String::new();
    for i in 0..1000 {
        writeln!(
            text,
            r#"{{"kind":"status","job":"job-{i:06}","t":"2025-03-01T10:00:00Z","status":"CONFIGURATION"}}"#
        )
        .unwrap();
    }
    let outcome = judge_text(&text, Settings::default(), true);
    assert_eq!(outcome.judge.job_count(), 1000);
    assert_eq!(outcome.judge.bytes_in_flight(), 81_920 + 32_000 + 44_800);

    // Short ids are counted as 16 bytes, long ones rounded up; a pending command holds one
    // `Pending` of its own.
    let text = concat!(
        r#"{"kind":"status","job":"a","t":"2025-03-01T10:00:00Z","status":"CONFIGURATION"}"#,
        "\n",
        r#"{"kind":"status","job":"an-id-of-twenty-chars","t":"2025-03-01T10:00:00Z","status":"CONFIGURATION"}"#,
        "\n",
        r#"{"kind":"command","job":"a","t":"2025-03-01T10:00:01Z","op":"start","answer":"accepted"}"#,
        "\n",
    );
    let outcome = judge_text(text, Settings::default(), true);
    let judge = &outcome.judge;
    assert_eq!(judge.pending.len(), 1);
    // Two jobs in a vector of 4; ids of 16 + 16 and 32 + 16 bytes; a map of 3 entries.
    assert_eq!(judge.jobs.capacity(), 4);
    assert_eq!(judge.ids.capacity(), 3);
    assert_eq!(
        judge.bytes_in_flight(),
        4 * 80 + 32 + 48 + 3 * 25 + judge.pending.capacity() * size_of::<Pending>()
    );
    assert_eq!(judge.pending.capacity(), 4);
}

#[test]
fn the_shard_hash_is_fnv_1a() {
    // The published FNV-1a 64-bit test vectors: other tools split shards the same way.
    assert_eq!(job_hash(""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(job_hash("a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(job_hash("foobar"), 0x8594_4171_f739_67e8);
}

#[test]
fn the_kept_job_has_one_entry_per_judged_record_and_no_other_job_has_any() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/traces/api-words.jsonl");
    let text = std::fs::read_to_string(path).unwrap();
    let outcome = judge_text(
        &text,
        Settings {
            trace_job: Some("w2".into()),
            ..Settings::default()
        },
        true,
    );
    let kept: Vec<String> = outcome
        .judge
        .trace
        .iter()
        .map(|k| format!("{} {} {:?}", line_of(k.seen.line), k.seen.what, k.asks))
        .collect();
    expect_test::expect![[r#"
        [
            "22 status INCRE_TRANSFER_STARTED Shows(10)",
            "23 command force end accepted Accepted(128)",
            "24 status RELEASE_RESOURCE_STARTED Shows(12)",
            "25 status RELEASE_RESOURCE_COMPLETE Shows(14)",
            "26 command delete accepted Accepted(256)",
            "27 status DELETED Shows(19)",
        ]
    "#]]
    .assert_debug_eq(&kept);
    // Every kept entry's states are consistent: none is empty.
    assert!(outcome.judge.trace.iter().all(|k| k.after != 0));
}

#[test]
fn a_bare_stop_is_an_end_only_in_the_file_whose_header_says_format_1() {
    let header = |format: u8| {
        format!("{{\"kind\":\"header\",\"format\":\"drs-lifecycle history {format}\"}}\n")
    };
    let poll = "{\"kind\":\"status\",\"job\":\"j\",\"t\":\"2025-03-01T00:00:00Z\",\"status\":\"INCRE_TRANSFER_STARTED\"}\n";
    let stop = "{\"kind\":\"command\",\"job\":\"j\",\"t\":\"2025-03-01T00:01:00Z\",\"op\":\"stop\",\"answer\":\"accepted\"}\n";
    // Format 1 first, without a stop; format 2 next, with one: a pause, no error.
    let mut validator = Validator::new(Settings::default());
    validator
        .read(format!("{}{poll}", header(1)).as_bytes(), "old")
        .unwrap();
    validator
        .read(format!("{}{stop}", header(2)).as_bytes(), "new")
        .expect("a bare stop in a format 2 file is a pause");
    // And in the format 1 file, an error naming that file.
    let mut validator = Validator::new(Settings::default());
    let Err(refused) = validator.read(format!("{}{poll}{stop}", header(1)).as_bytes(), "old")
    else {
        panic!("a bare stop in a format 1 file is refused");
    };
    assert!(
        refused.to_string().starts_with("old:3: a bare \"stop\""),
        "{refused}"
    );
}

#[test]
fn the_random_histories_are_judged_as_pinned() {
    // Every verdict over the random corpus, pinned: what each claim caught, and a hash of
    // every verdict, gap and kept record in full. The fast path is held to the general path
    // above; this holds both (and what they share) to what they concluded when pinned.
    let mut by_claim: std::collections::BTreeMap<&str, u32> = Default::default();
    let (mut hash, mut gaps, mut never_applied, mut divergences, mut stuck) =
        (0xcbf2_9ce4_8422_2325u64, 0, 0, 0, 0);
    for seed in 0..400u64 {
        let text = random_history(seed);
        let settings = Settings {
            explain: seed % 2 == 1,
            trace_job: (seed % 5 == 2).then(|| "t0".to_string()),
            deadlines: (seed % 3 == 0).then(crate::history::deadline::Deadlines::default),
            ..Settings::default()
        };
        let outcome = judge_text(&text, settings, true);
        for v in &outcome.judge.violations {
            *by_claim.entry(v.claim).or_default() += 1;
        }
        gaps += outcome.judge.gaps.len();
        never_applied += outcome.judge.counts.never_applied;
        divergences += outcome.judge.counts.divergences;
        stuck += outcome.judge.stuck.len();
        for b in verdicts(&outcome).bytes() {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    let mut summary = String::new();
    for (claim, n) in &by_claim {
        writeln!(summary, "{n:4} {claim}").unwrap();
    }
    writeln!(
        summary,
        "gaps {gaps}, never applied {never_applied}, divergences {divergences}, stuck {stuck}, \
         hash {hash:016x}"
    )
    .unwrap();
    expect_test::expect![[r#"
           6 a frozen task moves only on recharge or retention expiry
          55 a task keeps its account
          28 a task keeps its mode
          31 an accepted command takes effect
          51 an end is never undone
          15 delete only from CreateFailed or Ended
         108 deleted task never reappears
          41 ended is terminal
         132 every step is in the transition table
          15 full-only never incremental, incremental-only never full
          10 the service accepts only what the specification accepts
        gaps 2174, never applied 20, divergences 4385, stuck 37, hash 9eca019e31f6030c
    "#]]
    .assert_eq(&summary);
}

#[test]
fn every_committed_job_has_its_itf_run_as_pinned() {
    let mut all = String::new();
    for path in traces() {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        let mut jobs: Vec<String> = judge_text(&text, Settings::default(), true)
            .judge
            .job_ids()
            .map(str::to_string)
            .collect();
        jobs.sort();
        for job in jobs {
            let outcome = judge_text(
                &text,
                Settings {
                    trace_job: Some(job.clone()),
                    ..Settings::default()
                },
                true,
            );
            let complete = outcome.judge.options().commands_complete;
            writeln!(all, "== {name} {job}").unwrap();
            let Some(itf) = crate::history::itf::trace(&job, &outcome.judge.trace, complete) else {
                writeln!(all, "no run").unwrap();
                continue;
            };
            for state in itf["states"].as_array().unwrap() {
                let word = |key: &str| {
                    let v = &state[key];
                    match v.get("tag").and_then(|t| t.as_str()) {
                        Some("None") => "none".to_string(),
                        _ => v
                            .get("value")
                            .or_else(|| v.get("#bigint"))
                            .or_else(|| v.get("index"))
                            .unwrap_or(v)
                            .to_string()
                            .replace('"', ""),
                    }
                };
                writeln!(
                    all,
                    "{} {} {} {} {} | {} | line {} {}",
                    word("#meta"),
                    word("status"),
                    word("mode"),
                    word("phase"),
                    word("frozen_from"),
                    word("event"),
                    word("line"),
                    word("record")
                )
                .unwrap();
            }
        }
    }
    expect_test::expect_file!["../../tests/traces/itf-runs.txt"].assert_eq(&all);
}

/// A judge of one job ("j"), and that job's bookkeeping.
fn one_job(options: Options) -> (Judge, Job) {
    let mut judge = Judge::new(options);
    let j = judge.job_index("j");
    let job = judge.jobs[j].clone();
    (judge, job)
}

#[test]
fn time_applies_each_pending_command_once_in_either_order() {
    let t = tables();
    for (complete, billing) in [(true, true), (false, false), (true, false)] {
        let (judge, job) = one_job(Options {
            commands_complete: complete,
            billing_recorded: billing,
            ..Options::default()
        });
        let unseen = judge.unseen(&job);
        let close = |set: States| t.close(set, unseen, !complete);
        for s in 0..t.states.len() {
            let c0 = close(1 << s);
            for (a, op) in USER_OPS.iter().enumerate() {
                let (ops_a, ops_b) = (1u16 << a, 1u16 << ((a + 3) % USER_OPS.len()));
                // One pending command: the sets without it and with it, applied once.
                let mut config = Config::default();
                config.sets[0] = 1 << s;
                config.count = 1;
                config.ops[0] = ops_a;
                assert!(judge.advance_with(&job, &mut config, 0, None));
                let with_a = close(t.apply_any(c0, ops_a));
                assert_eq!(config.sets[0], c0);
                assert_eq!(config.sets[1], with_a, "{:?} {op:?}", t.states[s]);
                assert_eq!(config.sets[2] | config.sets[3], 0);
                // Two: each alone, and both in either order.
                let mut config = Config::default();
                config.sets[0] = 1 << s;
                config.count = 2;
                config.ops[0] = ops_a;
                config.ops[1] = ops_b;
                judge.advance_with(&job, &mut config, 0, None);
                let with_b = close(t.apply_any(c0, ops_b));
                assert_eq!(config.sets[1], with_a);
                assert_eq!(config.sets[2], with_b);
                assert_eq!(
                    config.sets[3],
                    close(t.apply_any(with_a, ops_b)) | close(t.apply_any(with_b, ops_a))
                );
            }
        }
    }
}

#[test]
fn the_apply_bound_rules_out_what_has_not_applied_only_once_it_has_passed() {
    let t = tables();
    let (judge, job) = one_job(Options {
        commands_complete: true,
        billing_recorded: true,
        ..Options::default()
    });
    let incremental = t
        .members(t.shows[answer_index(Answer::Code(ApiCode::IncreTransferStarted))])
        .next()
        .unwrap();
    let pause = 1 << op_index(Event::Pause).unwrap();
    let pending = |sent: Millis| {
        let mut config = Config::default();
        config.sets[0] = 1 << incremental;
        config.count = 1;
        config.ops[0] = pause;
        config.sent[0] = sent;
        config
    };
    // At the bound exactly, not applying is still possible.
    let mut at = pending(1_000);
    assert!(judge.advance_with(&job, &mut at, 1_000 + 60_000, Some(60_000)));
    assert_ne!(at.sets[0], 0);
    // A millisecond after, only the runs that applied it remain.
    let mut after = pending(1_000);
    assert!(judge.advance_with(&job, &mut after, 1_000 + 60_001, Some(60_000)));
    assert_eq!(after.sets[0], 0);
    assert_eq!(after.sets[1], at.sets[1]);
    // Where nothing can apply it, nothing remains.
    let mut refused = pending(1_000);
    refused.sets[0] = t.deleted;
    assert!(!judge.advance_with(&job, &mut refused, 1_000 + 60_001, Some(60_000)));
}

#[test]
fn a_retired_command_leaves_the_next_one_in_its_place() {
    let (judge, _) = one_job(Options::default());
    // Command 0 applied in every consistent state (sets 0 and 2 empty), command 1 not yet.
    let mut config = Config {
        count: 2,
        sets: [0, 0b01, 0, 0b10],
        before: [0, 0b100, 0, 0b1000],
        ops: [1, 2],
        lines: [10, 20],
        sent: [100, 200],
        refusers: [0b1_0000, 0b10_0000],
    };
    judge.retire(&mut config);
    assert_eq!(config.count, 1);
    assert_eq!(config.sets, [0b01, 0b10, 0, 0]);
    assert_eq!(config.before, [0b100, 0b1000, 0, 0]);
    assert_eq!(
        (config.ops[0], config.lines[0], config.sent[0]),
        (2, 20, 200)
    );
    assert_eq!(config.refusers[0], 0b10_0000);
    // Command 1 retired instead: command 0 stays where it is, and the sets are indexed by
    // whether it applied.
    let mut config = Config {
        count: 2,
        sets: [0, 0, 0b01, 0b10],
        ops: [1, 2],
        lines: [10, 20],
        ..Config::default()
    };
    judge.retire(&mut config);
    assert_eq!(config.count, 1);
    assert_eq!(config.sets, [0b01, 0b10, 0, 0]);
    assert_eq!((config.ops[0], config.lines[0]), (1, 10));
    // Neither applied everywhere: both stay.
    let mut config = Config {
        count: 2,
        sets: [0b1, 0, 0, 0b10],
        ..Config::default()
    };
    judge.retire(&mut config);
    assert_eq!(config.count, 2);
}

fn poll_line(job: &str, second: u32, code: &str, extra: &str) -> String {
    format!(
        "{{\"kind\":\"status\",\"job\":\"{job}\",\"t\":\"2025-03-01T10:{:02}:{:02}Z\",\"status\":\"{code}\"{extra}}}\n",
        second / 60,
        second % 60
    )
}

#[test]
fn a_transient_status_is_stuck_only_past_its_bound_and_reported_once() {
    let deadlines = crate::history::deadline::Deadlines::parse("starting = \"1m\"").unwrap();
    let settings = Settings {
        deadlines: Some(deadlines),
        ..Settings::default()
    };
    // Exactly at the bound: not stuck. A second past it: stuck, reported once, with its
    // first and last polls. A status without a bound is never stuck.
    let mut text = String::new();
    for (second, job) in [
        (0, "at"),
        (60, "at"),
        (0, "past"),
        (30, "past"),
        (61, "past"),
    ] {
        text += &poll_line(job, second, "STARTJOBING", "");
    }
    text += &poll_line("past", 90, "STARTJOBING", "");
    for second in [0, 600, 1200] {
        text += &poll_line("paused", second, "PAUSING", "");
    }
    let outcome = judge_text(&text, settings, true);
    let stuck: Vec<String> = outcome
        .judge
        .stuck
        .iter()
        .map(|s| {
            format!(
                "{} {} {} lines {}..{}",
                s.job,
                s.code,
                s.bound,
                line_of(s.first_line),
                line_of(s.last_line)
            )
        })
        .collect();
    assert_eq!(stuck, ["past STARTJOBING 60000 lines 3..6"]);
}

#[test]
fn only_the_first_divergences_are_kept_in_full_and_all_are_counted() {
    // Configuration offers no pause: every such poll diverges.
    let mut text = String::new();
    for i in 0..MAX_DIVERGENCES as u32 + 3 {
        text += &poll_line(
            &format!("j{i}"),
            0,
            "CONFIGURATION",
            ",\"available_actions\":[\"START\",\"PAUSE\"]",
        );
    }
    let outcome = judge_text(&text, Settings::default(), true);
    assert_eq!(outcome.judge.counts.divergences, MAX_DIVERGENCES as u64 + 3);
    assert_eq!(outcome.judge.divergences.len(), MAX_DIVERGENCES);
    assert_eq!(outcome.judge.divergences[0].offers_forbidden, ["pause"]);
}

#[test]
fn only_the_first_never_applied_commands_are_kept_in_full_and_all_are_counted() {
    let mut text = String::new();
    for i in 0..MAX_REPORTS as u32 + 2 {
        text += &poll_line(&format!("j{i}"), 0, "INCRE_TRANSFER_STARTED", "");
        text += &format!(
            "{{\"kind\":\"command\",\"job\":\"j{i}\",\"t\":\"2025-03-01T10:00:01Z\",\"op\":\"pause\",\"answer\":\"accepted\"}}\n"
        );
    }
    let outcome = judge_text(&text, Settings::default(), true);
    assert_eq!(outcome.judge.counts.never_applied, MAX_REPORTS as u64 + 2);
    assert_eq!(outcome.judge.never_applied.len(), MAX_REPORTS);
    assert_eq!(outcome.judge.never_applied[0].op, "pause");
}

#[test]
fn operations_outside_the_lifecycle_are_counted_by_name_up_to_a_cap() {
    let entry = |name: &str| {
        format!(
            "{{\"kind\":\"timeline\",\"job\":\"j\",\"t\":\"2025-03-01T10:00:00Z\",\"name\":\"{name}\",\"result\":\"success\"}}\n"
        )
    };
    let mut text = String::new();
    for i in 0..MAX_OUTSIDE_NAMES + 3 {
        text += &entry(&format!("op{i:03}"));
    }
    text += &entry("op000");
    text += &entry("op000");
    let outcome = judge_text(&text, Settings::default(), true);
    let counts = &outcome.judge.counts;
    assert_eq!(counts.outside, MAX_OUTSIDE_NAMES as u64 + 5);
    assert_eq!(counts.outside_by_name.len(), MAX_OUTSIDE_NAMES + 1);
    assert_eq!(counts.outside_by_name["op000"], 3);
    assert_eq!(counts.outside_by_name["op063"], 1);
    assert_eq!(counts.outside_by_name["(other names)"], 3);
    assert!(!counts.outside_by_name.contains_key("op064"));
}

#[test]
fn a_state_only_an_indefinite_command_reaches_is_kept_past_a_poll_on_the_fast_path() {
    // Nothing is pending once the restart is indefinite, so the poll may take the fast
    // path; but the restart may still be applied, and one of the states that show
    // STARTJOBING is reached only through it. The fast path must not drop it.
    let text = concat!(
        r#"{"apply_within":"30m","commands":"complete","format":"drs-lifecycle history 2","kind":"header"}"#,
        "\n",
        r#"{"answer":"indefinite","job":"t3","kind":"command","op":"restart","t":1740791606000}"#,
        "\n",
        r#"{"job":"t3","kind":"timeline","name":"StartNow","result":"success","t":1740791860500}"#,
        "\n",
        r#"{"job":"t3","kind":"status","status":"STARTJOBING","t":1740792535000}"#,
        "\n",
        r#"{"error_code":"DRS.10000010","job":"t3","kind":"status","t":1740792535000}"#,
        "\n",
    );
    let fast = judge_text(text, Settings::default(), true);
    let general = judge_text(text, Settings::default(), false);
    assert_eq!(verdicts(&fast), verdicts(&general));
    assert!(
        verdicts(&fast)
            .contains("possible: STARTJOBING#9, STARTJOBING#14, STARTJOBING#19, STARTJOBING#75\n"),
        "{}",
        verdicts(&fast)
    );
}

#[test]
fn a_timeline_entry_of_another_operation_does_not_apply_a_pending_command() {
    // The end is accepted and never applied: a schedule-start entry is not its success.
    let text = concat!(
        r#"{"billing":"recorded","commands":"complete","format":"drs-lifecycle history 2","kind":"header"}"#,
        "\n",
        r#"{"answer":"accepted","call":"stop_job_action","job":"t0","kind":"command","t":1740795214000}"#,
        "\n",
        r#"{"job":"t0","kind":"timeline","name":"ScheduleStart","result":"success","t":1740801062500}"#,
        "\n",
    );
    expect_test::expect![[r#"
        jobs 1 violated 0 | records 2 polls 0 commands 1 timeline 1 billing 0 after-violation 0 divergences 0 never-applied 1 (evicted 0) outside 0 transient-errors 0
        answers: 
        never applied t0 line 2 end at 1740795214000
    "#]].assert_eq(&verdicts(&judge_text(text, Settings::default(), false)));
}

#[test]
fn an_itf_search_stops_at_its_bound_on_nodes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/traces/refused-and-carried.jsonl");
    let text = std::fs::read_to_string(path).unwrap();
    let outcome = judge_text(
        &text,
        Settings {
            trace_job: Some("q1".to_string()),
            ..Settings::default()
        },
        true,
    );
    let search = |bound| crate::history::itf::search(&outcome.judge.trace, true, bound);
    // Job q1's run is found once the search may hold 716 nodes, not before: the bound is
    // on the nodes held, and a search that passes it gives no run rather than a guess.
    let full = format!("{:?}", search(usize::MAX));
    assert_eq!(format!("{:?}", search(716)), full);
    assert!(search(715).is_none());
    assert!(search(0).is_none());
}
