//! The simulation held to account: each service fault's first visible record, the judge's
//! verdict on clean and faulty histories, the documented distributions of [`plan`], the
//! generator, the limits of a configuration and the chart.
//!
//! These are library tests on purpose: a mutation campaign over `src/simulate/` runs them
//! (`cargo test --lib simulate::`) for every mutant, and they need no binary. The fleets are
//! small so that an unoptimised build judges them in seconds.

use std::fmt::Write as _;
use std::io::{self, BufReader};

use super::*;
use crate::history::claim;
use crate::history::deadline::Deadlines;
use crate::history::validate::{Outcome, Settings, Validator, line_of};
use crate::model::CLAIMS;
use crate::model::claims::{Breaker, Judge as ClaimJudge};

/// The fleet every service fault shows in: small enough to judge nine times per mutant.
const FAULT_FLEET: Config = Config {
    tasks: 30,
    accounts: 10,
    days: 3,
    seed: 1,
    poll_every_s: 120,
    jitter_s: 10,
    lost_polls: 0.01,
    fault: None,
};

/// A history and what the simulation said of it.
fn simulated(config: &Config) -> (String, Summary) {
    let mut out = Vec::new();
    let summary = run(config, &mut out).expect("writes to memory");
    (String::from_utf8(out).expect("UTF-8"), summary)
}

/// `validate`'s verdict on a history.
fn judged(text: &str, settings: Settings) -> Outcome {
    let mut validator = Validator::new(settings);
    validator
        .read(BufReader::new(text.as_bytes()), "history.jsonl")
        .expect("a simulated history is well formed");
    validator.finish()
}

fn with_deadlines() -> Settings {
    Settings {
        deadlines: Some(Deadlines::default()),
        ..Settings::default()
    }
}

/// FNV-1a, 64 bits: a fingerprint of a whole history, independent of any dependency.
fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// One line that fingerprints a run: its size, its hash and its summary's counts.
fn fingerprint(text: &str, summary: &Summary) -> String {
    format!(
        "{} lines, fnv {:016x}; summary: {} records, {} polls, {} commands, {} billing, {} samples, fault at {}",
        text.lines().count(),
        fnv(text.as_bytes()),
        summary.records,
        summary.polls,
        summary.commands,
        summary.billing,
        summary.samples.len(),
        summary
            .fault_at
            .as_ref()
            .map_or("none".to_string(), |(job, at)| format!(
                "{job} {}",
                crate::history::format_time(*at)
            )),
    )
}

/// The claim each fault is meant to break: the one whose breaker it is in the one table,
/// or (for the two claims the model checker shares with the validator) the shared claim.
fn claim_of(fault: ServiceFault) -> &'static str {
    let breakers: Vec<&'static str> = CLAIMS
        .iter()
        .filter(|c| {
            matches!(c.judge, ClaimJudge::History(Breaker::ServiceFault { fault: f, .. }) if f == fault.name())
        })
        .map(|c| c.name)
        .collect();
    match (fault, breakers.as_slice()) {
        (ServiceFault::DeletedReappears, []) => claim::DELETED_REAPPEARS,
        (ServiceFault::EndedRestarts, []) => claim::ENDED_TERMINAL,
        (_, [one]) => one,
        _ => panic!("{}: breaks {breakers:?} in the claims table", fault.name()),
    }
}

/// Faults that break a deadline, not a safety claim: judged with the default deadlines.
fn breaks_a_deadline(fault: ServiceFault) -> bool {
    matches!(
        fault,
        ServiceFault::StuckStarting | ServiceFault::ReleaseHangs
    )
}

/// A job's records, with their line numbers.
fn of_job<'a>(lines: &[&'a str], job: &str) -> Vec<(usize, &'a str)> {
    let tag = format!("\"job\":\"{job}\"");
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains(&tag))
        .map(|(n, l)| (n + 1, *l))
        .collect()
}

#[test]
fn each_service_fault_shows_first_where_pinned_and_breaks_its_claim() {
    let (clean, clean_summary) = simulated(&FAULT_FLEET);
    let verdict = judged(&clean, with_deadlines());
    assert!(verdict.judge.violations.is_empty(), "the clean fleet");
    assert!(verdict.judge.stuck.is_empty(), "the clean fleet");
    assert_eq!(clean_summary.fault_at, None);
    let clean_lines: Vec<&str> = clean.lines().collect();
    let mut report = String::new();
    writeln!(report, "clean: {}", fingerprint(&clean, &clean_summary)).unwrap();
    for fault in ServiceFault::ALL {
        let config = Config {
            fault: Some(fault),
            ..FAULT_FLEET
        };
        let (text, summary) = simulated(&config);
        let lines: Vec<&str> = text.lines().collect();
        // The header differs by the fault's name only.
        assert_eq!(
            lines[0],
            clean_lines[0].replace("\"}", &format!(" --service-fault {}\"}}", fault.name())),
            "{}",
            fault.name()
        );
        let first = (1..lines.len().min(clean_lines.len()))
            .find(|&n| lines[n] != clean_lines[n])
            .unwrap_or_else(|| panic!("{}: no record differs", fault.name()));
        let (job, at) = summary
            .fault_at
            .clone()
            .unwrap_or_else(|| panic!("{}: never injected", fault.name()));
        writeln!(report, "{}: {}", fault.name(), fingerprint(&text, &summary)).unwrap();
        writeln!(report, "  first difference at line {}:", first + 1).unwrap();
        writeln!(report, "    clean: {}", clean_lines[first]).unwrap();
        writeln!(report, "    fault: {}", lines[first]).unwrap();
        // The fault's own job: its first record that differs is where the fault shows.
        let (faulty, healthy) = (of_job(&lines, &job), of_job(&clean_lines, &job));
        let k = (0..faulty.len())
            .find(|&k| healthy.get(k).map(|h| h.1) != Some(faulty[k].1))
            .unwrap_or_else(|| panic!("{}: {job} is unchanged", fault.name()));
        writeln!(report, "  first difference of {job}, its record {}:", k + 1).unwrap();
        match healthy.get(k) {
            Some((n, line)) => writeln!(report, "    clean: line {n}: {line}").unwrap(),
            None => writeln!(report, "    clean: no record").unwrap(),
        }
        writeln!(report, "    fault: line {}: {}", faulty[k].0, faulty[k].1).unwrap();
        let expected = claim_of(fault);
        if breaks_a_deadline(fault) {
            // No safety claim breaks; without deadlines the history is consistent.
            let outcome = judged(&text, Settings::default());
            assert!(outcome.judge.violations.is_empty(), "{}", fault.name());
            assert!(outcome.judge.stuck.is_empty(), "{}", fault.name());
            let outcome = judged(&text, with_deadlines());
            assert!(outcome.judge.violations.is_empty(), "{}", fault.name());
            let [stuck] = &outcome.judge.stuck[..] else {
                panic!("{}: stuck {:?}", fault.name(), outcome.judge.stuck);
            };
            assert_eq!(stuck.claim, expected, "{}", fault.name());
            assert_eq!(stuck.job, job, "{}", fault.name());
            // Its first poll in the status it is stuck in comes shortly before the
            // outcome that never came, and it is still stuck at the end.
            assert!(
                (at - 10 * MINUTE..=at).contains(&stuck.first_time),
                "{}",
                fault.name()
            );
            assert!(stuck.last_time >= EPOCH_MS + 3 * DAY - 10 * MINUTE);
            writeln!(
                report,
                "  validate --deadlines default: {} stuck: {} — {} from line {} ({}) to line {} ({})",
                stuck.job,
                stuck.claim,
                stuck.code,
                line_of(stuck.first_line),
                crate::history::format_time(stuck.first_time),
                line_of(stuck.last_line),
                crate::history::format_time(stuck.last_time),
            )
            .unwrap();
        } else {
            let outcome = judged(&text, with_deadlines());
            assert!(outcome.judge.stuck.is_empty(), "{}", fault.name());
            let [violation] = &outcome.judge.violations[..] else {
                panic!(
                    "{}: violations {:?}",
                    fault.name(),
                    outcome.judge.violations
                );
            };
            assert_eq!(violation.claim, expected, "{}", fault.name());
            assert_eq!(violation.job, job, "{}", fault.name());
            // The violation shows no earlier than the fault and the first difference.
            assert!(violation.record.time >= at, "{}", fault.name());
            assert!(
                line_of(violation.record.line) as usize > first,
                "{}: line {} before the first difference",
                fault.name(),
                line_of(violation.record.line)
            );
            writeln!(
                report,
                "  validate: {} at line {} ({}): {}",
                violation.job,
                line_of(violation.record.line),
                violation.record.what,
                violation.claim,
            )
            .unwrap();
        }
    }
    expect_test::expect_file!["../../tests/simulated/faults.txt"].assert_eq(&report);
}

#[test]
fn the_header_names_the_command_that_writes_the_history_again() {
    let source = |config: &Config| -> String {
        let mut out = Vec::new();
        run(config, &mut out).expect("writes to memory");
        let text = String::from_utf8(out).expect("UTF-8");
        let header: serde_json::Value =
            serde_json::from_str(text.lines().next().expect("a header")).expect("JSON");
        assert_eq!(header["format"], crate::history::FORMAT);
        assert_eq!(header["commands"], "complete");
        assert_eq!(header["billing"], "recorded");
        assert_eq!(header["apply_within"], "30m");
        header["source"].as_str().expect("a source").to_string()
    };
    let tiny = Config {
        tasks: 1,
        accounts: 1,
        days: 1,
        ..Config::default()
    };
    assert_eq!(
        source(&tiny),
        "drs-lifecycle simulate --tasks 1 --accounts 1 --days 1 --seed 1"
    );
    assert_eq!(
        source(&Config {
            jitter_s: 0,
            ..tiny.clone()
        }),
        "drs-lifecycle simulate --tasks 1 --accounts 1 --days 1 --seed 1 --jitter 0"
    );
    assert_eq!(
        source(&Config {
            poll_every_s: 61,
            ..tiny.clone()
        }),
        "drs-lifecycle simulate --tasks 1 --accounts 1 --days 1 --seed 1 --poll-every 61"
    );
    assert_eq!(
        source(&Config {
            lost_polls: 0.25,
            ..tiny.clone()
        }),
        "drs-lifecycle simulate --tasks 1 --accounts 1 --days 1 --seed 1 --lost-polls 0.25"
    );
    assert_eq!(
        source(&Config {
            tasks: 3,
            accounts: 2,
            days: 2,
            seed: 9,
            poll_every_s: 300,
            jitter_s: 20,
            lost_polls: 0.0,
            fault: Some(ServiceFault::ReleaseHangs),
        }),
        "drs-lifecycle simulate --tasks 3 --accounts 2 --days 2 --seed 9 --poll-every 300 \
         --jitter 20 --lost-polls 0 --service-fault release-hangs"
    );
}

#[test]
fn every_breaker_that_is_a_service_fault_is_a_fault_of_the_simulation() {
    let mut named = 0;
    for c in &CLAIMS {
        if let ClaimJudge::History(Breaker::ServiceFault { fault, .. }) = c.judge {
            assert!(
                ServiceFault::ALL.iter().any(|f| f.name() == fault),
                "{}: {fault}",
                c.name
            );
            named += 1;
        }
    }
    assert_eq!(named, 6);
}

#[test]
fn each_fault_is_named_as_the_command_line_spells_it() {
    use clap::ValueEnum;
    let names: Vec<&str> = ServiceFault::ALL.iter().map(|f| f.name()).collect();
    assert_eq!(
        names,
        [
            "deleted-reappears",
            "ended-restarts",
            "pause-undone",
            "frozen-keeps-migrating",
            "force-end-ignored",
            "accepts-force-end-in-creating",
            "stuck-starting",
            "release-hangs",
        ]
    );
    for fault in ServiceFault::ALL {
        let value = fault.to_possible_value().expect("a value");
        assert_eq!(value.get_name(), fault.name());
    }
    assert_eq!(ServiceFault::value_variants(), &ServiceFault::ALL[..]);
}

// Clean histories.

/// A clean history is consistent, nothing is stuck or never applied, and the summary's
/// counts are the judge's.
fn consistent(config: &Config) -> (String, Summary) {
    let (text, summary) = simulated(config);
    let outcome = judged(&text, with_deadlines());
    let judge = &outcome.judge;
    assert!(
        judge.violations.is_empty(),
        "{config:?}: {:?}",
        judge.violations
    );
    assert!(judge.stuck.is_empty(), "{config:?}: {:?}", judge.stuck);
    assert!(judge.never_applied.is_empty(), "{config:?}");
    assert_eq!(judge.violated_jobs(), 0);
    assert_eq!(
        judge.job_count(),
        config.tasks,
        "{config:?}: every task was created"
    );
    let c = &judge.counts;
    // The judge does not count the header.
    assert_eq!(summary.records, c.records + 1, "{config:?}");
    assert_eq!(summary.records, text.lines().count() as u64);
    assert_eq!(summary.polls, c.polls, "{config:?}");
    assert_eq!(summary.commands, c.commands, "{config:?}");
    assert_eq!(summary.billing, c.billing, "{config:?}");
    assert_eq!(c.timeline, 0);
    assert_eq!(c.never_applied, 0);
    assert_eq!(c.after_violation, 0);
    assert_eq!(
        summary.records,
        1 + summary.polls + summary.commands + summary.billing
    );
    (text, summary)
}

#[test]
fn clean_fleets_are_consistent_and_their_summaries_count_what_the_judge_counts() {
    let configs = [
        // Many lost polls, no jitter.
        Config {
            tasks: 12,
            accounts: 3,
            days: 2,
            seed: 7,
            poll_every_s: 90,
            jitter_s: 0,
            lost_polls: 0.3,
            fault: None,
        },
        // The largest jitter an interval allows, one account.
        Config {
            tasks: 10,
            accounts: 1,
            days: 2,
            seed: 8,
            poll_every_s: 60,
            jitter_s: 59,
            lost_polls: 0.0,
            fault: None,
        },
        // More accounts than tasks: arrears everywhere.
        Config {
            tasks: 15,
            accounts: 40,
            days: 3,
            seed: 9,
            poll_every_s: 300,
            jitter_s: 20,
            lost_polls: 0.05,
            fault: None,
        },
    ];
    let mut prints = String::new();
    for config in &configs {
        let (text, summary) = consistent(config);
        assert!(
            summary.polls > 1000 && summary.commands > 10,
            "{config:?}: {summary:?}"
        );
        writeln!(prints, "{}", fingerprint(&text, &summary)).unwrap();
    }
    expect_test::expect![[r#"
        10137 lines, fnv 7ab0ff72b79431bc; summary: 10137 records, 10105 polls, 31 commands, 0 billing, 289 samples, fault at none
        20503 lines, fnv 6db1508024cf9236; summary: 20503 records, 20482 polls, 20 commands, 0 billing, 289 samples, fault at none
        7523 lines, fnv 5dfe0784c147744b; summary: 7523 records, 7481 polls, 37 commands, 4 billing, 433 samples, fault at none
    "#]]
    .assert_eq(&prints);
}

#[test]
fn a_prepaid_end_accepted_before_arrears_is_applied_not_frozen_away() {
    // Arrears every few hours and every task prepaid: an account's arrears often come
    // between an accepted end and its late effect. The end must still take effect (once
    // frozen, it never could), so the history stays consistent.
    let config = Config {
        tasks: 200,
        accounts: 200,
        days: 14,
        seed: 1,
        poll_every_s: 1800,
        jitter_s: 30,
        lost_polls: 0.0,
        fault: None,
    };
    let tuning = Tuning {
        arrears_per_account_per_day: 4.0,
        prepaid_share: 1.0,
        ..TUNING
    };
    let mut out = Vec::new();
    let summary = run_at(&config, tuning, &mut out).expect("writes to memory");
    let text = String::from_utf8(out).expect("UTF-8");
    let outcome = judged(&text, Settings::default());
    assert!(
        outcome.judge.violations.is_empty(),
        "{:?}",
        outcome.judge.violations
    );
    assert!(outcome.judge.never_applied.is_empty());
    assert_eq!(summary.billing, outcome.judge.counts.billing);
    assert_eq!(summary.commands, outcome.judge.counts.commands);
    // Freezes and recharges every few hours leave many stale steps queued: the history is
    // pinned so that a stale step applied, or a wrong command recorded, shows.
    expect_test::expect![[r#"
        76087 lines, fnv f18f0777929fc546; summary: 76087 records, 64843 polls, 475 commands, 10768 billing, 501 samples, fault at none
    "#]]
    .assert_eq(&format!("{}\n", fingerprint(&text, &summary)));
    // The case happened: an end accepted, then its account's arrears before 5 minutes.
    let mut account = std::collections::BTreeMap::new();
    let mut ends: Vec<(String, i64)> = Vec::new();
    let mut between = 0;
    for line in text.lines().skip(1) {
        let v: serde_json::Value = serde_json::from_str(line).expect("JSON");
        let t = crate::history::parse_time(v["t"].as_str().expect("a time")).expect("a time");
        match v["kind"].as_str() {
            Some("status") if v.get("account").is_some() => {
                account.insert(v["job"].to_string(), v["account"].to_string());
            }
            Some("command") if v["op"] == "end" && v["answer"] == "accepted" => {
                ends.push((account[&v["job"].to_string()].clone(), t));
            }
            Some("billing") if v["event"] == "arrears" => {
                let a = v["account"].to_string();
                between += ends
                    .iter()
                    .filter(|(e, at)| *e == a && (0..=5 * MINUTE).contains(&(t - at)))
                    .count();
            }
            _ => {}
        }
    }
    assert!(
        between >= 1,
        "{between} ends with arrears before their effect"
    );
}

#[test]
#[should_panic(expected = "task 0 runs away")]
fn a_task_past_its_event_limit_stops_the_run() {
    // A task's life takes more than five steps: with the limit at five, the run stops.
    let config = Config {
        tasks: 1,
        accounts: 1,
        days: 3,
        ..Config::default()
    };
    let tuning = Tuning {
        max_events_per_task: 5,
        ..TUNING
    };
    let _ = run_at(&config, tuning, &mut Vec::new());
}

#[test]
fn a_task_within_its_event_limit_runs_to_the_end() {
    let config = Config {
        tasks: 1,
        accounts: 1,
        days: 3,
        ..Config::default()
    };
    let mut out = Vec::new();
    let summary = run_at(&config, TUNING, &mut out).expect("writes to memory");
    assert_eq!(
        summary.commands as usize,
        out.split(|&b| b == b'\n')
            .filter(|l| l.starts_with(b"{\"kind\":\"command\""))
            .count()
    );
    assert!(summary.commands >= 3, "{summary:?}");
    assert_eq!(TUNING.max_events_per_task, 1_000_000);
}

/// The small fleet whose whole history is pinned.
const PINNED: Config = Config {
    tasks: 6,
    accounts: 2,
    days: 2,
    seed: 42,
    poll_every_s: 600,
    jitter_s: 30,
    lost_polls: 0.02,
    fault: None,
};

#[test]
fn a_small_fleet_writes_exactly_the_pinned_history() {
    let (text, summary) = consistent(&PINNED);
    let mut pinned = String::new();
    writeln!(pinned, "{}", fingerprint(&text, &summary)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    writeln!(pinned, "first lines:").unwrap();
    for line in &lines[..40] {
        writeln!(pinned, "{line}").unwrap();
    }
    writeln!(pinned, "last lines:").unwrap();
    for line in &lines[lines.len() - 5..] {
        writeln!(pinned, "{line}").unwrap();
    }
    writeln!(pinned, "samples (every {}):", summary.samples.len()).unwrap();
    for (t, counts) in summary.samples.iter().step_by(24) {
        writeln!(pinned, "{} {counts:?}", crate::history::format_time(*t)).unwrap();
    }
    let (t, counts) = summary.samples.last().expect("a last sample");
    writeln!(
        pinned,
        "last {} {counts:?}",
        crate::history::format_time(*t)
    )
    .unwrap();
    expect_test::expect_file!["../../tests/simulated/pinned.txt"].assert_eq(&pinned);
    // The same configuration, the same bytes.
    assert_eq!(simulated(&PINNED).0, text);
    let other = Config { seed: 43, ..PINNED };
    assert_ne!(simulated(&other).0, text);
}

#[test]
fn samples_are_evenly_spaced_and_count_every_created_task() {
    let (_, summary) = simulated(&PINNED);
    let every = (2 * DAY / 500).max(10 * MINUTE);
    assert_eq!(summary.samples[0].0, EPOCH_MS);
    // Before the first creation, nothing; at the end, every task (one the end sample
    // repeats the last regular sample's time or follows it).
    assert_eq!(summary.samples[0].1.iter().sum::<u32>(), 0);
    let regular = &summary.samples[..summary.samples.len() - 1];
    for pair in regular.windows(2) {
        assert_eq!(pair[1].0 - pair[0].0, every);
        let (a, b) = (pair[0].1.iter().sum::<u32>(), pair[1].1.iter().sum::<u32>());
        assert!(a <= b && b as usize <= PINNED.tasks);
    }
    let (last_t, last) = summary.samples.last().expect("the end sample");
    assert_eq!(*last_t, EPOCH_MS + 2 * DAY);
    assert_eq!(regular.len() as i64, 2 * DAY / every);
    assert_eq!(last.iter().sum::<u32>() as usize, PINNED.tasks);
}

#[test]
fn a_long_run_is_sampled_five_hundred_times() {
    // Past three days the interval is a five-hundredth of the run, not ten minutes.
    let config = Config {
        tasks: 2,
        accounts: 1,
        days: 30,
        seed: 3,
        poll_every_s: 3600,
        jitter_s: 0,
        lost_polls: 0.0,
        fault: None,
    };
    let (_, summary) = simulated(&config);
    let every = 30 * DAY / 500;
    assert_eq!(every, 5_184_000);
    assert_eq!(summary.samples.len(), 501);
    for (k, (t, _)) in summary.samples[..500].iter().enumerate() {
        assert_eq!(*t, EPOCH_MS + k as i64 * every);
    }
    assert_eq!(summary.samples[500].0, EPOCH_MS + 30 * DAY);
}

/// The status records of a history, by job: (time in seconds, the line).
fn polls_by_job(text: &str) -> std::collections::BTreeMap<String, Vec<(i64, serde_json::Value)>> {
    let mut jobs: std::collections::BTreeMap<String, Vec<(i64, serde_json::Value)>> =
        std::collections::BTreeMap::new();
    for line in text.lines().skip(1) {
        let v: serde_json::Value = serde_json::from_str(line).expect("JSON");
        if v["kind"] != "status" {
            continue;
        }
        let t =
            crate::history::parse_time(v["t"].as_str().expect("a time")).expect("a time") / SECOND;
        let job = v["job"].as_str().expect("a job").to_string();
        jobs.entry(job).or_default().push((t, v));
    }
    jobs
}

#[test]
fn polls_are_spaced_by_the_interval_and_its_jitter() {
    let config = Config {
        tasks: 8,
        accounts: 2,
        days: 1,
        seed: 5,
        poll_every_s: 60,
        jitter_s: 3,
        lost_polls: 0.0,
        fault: None,
    };
    let (text, _) = simulated(&config);
    let mut seen = std::collections::BTreeSet::new();
    for (job, polls) in polls_by_job(&text) {
        for pair in polls.windows(2) {
            let gap = pair[1].0 - pair[0].0;
            assert!((57..=63).contains(&gap), "{job}: {gap} s between polls");
            seen.insert(gap);
        }
    }
    // Every spacing in the jitter's range happens, both ends included.
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        (57..=63).collect::<Vec<_>>()
    );
}

#[test]
fn lost_polls_leave_gaps_of_whole_intervals_in_their_share() {
    for lost_polls in [0.1, 0.4] {
        let config = Config {
            tasks: 10,
            accounts: 2,
            days: 1,
            seed: 6,
            poll_every_s: 60,
            jitter_s: 2,
            lost_polls,
            fault: None,
        };
        let (text, summary) = simulated(&config);
        let (mut written, mut lost) = (0u64, 0u64);
        for (job, polls) in polls_by_job(&text) {
            written += polls.len() as u64;
            for pair in polls.windows(2) {
                let gap = pair[1].0 - pair[0].0;
                // k lost polls between two written ones: k + 1 intervals, each 58 to 62 s.
                let k = (gap + 30) / 60 - 1;
                assert!(
                    (58 * (k + 1)..=62 * (k + 1)).contains(&gap),
                    "{job}: a gap of {gap} s"
                );
                lost += k as u64;
            }
        }
        assert_eq!(written, summary.polls);
        let share = lost as f64 / (lost + written) as f64;
        assert!(
            (share - lost_polls).abs() < 0.03,
            "{lost_polls}: {share} of polls lost"
        );
    }
}

#[test]
fn every_jobs_first_poll_alone_names_its_mode_and_account() {
    // Half the polls lost: the first poll written, not the first made, names them.
    let config = Config {
        tasks: 40,
        accounts: 7,
        days: 1,
        seed: 11,
        poll_every_s: 600,
        jitter_s: 5,
        lost_polls: 0.5,
        fault: None,
    };
    let (text, _) = simulated(&config);
    let mut modes = std::collections::BTreeSet::new();
    let mut accounts = std::collections::BTreeSet::new();
    let mut first_lost = 0;
    let jobs = polls_by_job(&text);
    assert_eq!(jobs.len(), config.tasks);
    for (job, polls) in &jobs {
        let first = &polls[0].1;
        let mode = first["mode"]
            .as_str()
            .unwrap_or_else(|| panic!("{job}: no mode"));
        assert!(
            Mode::ALL.iter().any(|m| m.api_code() == mode),
            "{job}: {mode}"
        );
        let account = first["account"]
            .as_str()
            .unwrap_or_else(|| panic!("{job}: no account"));
        let a: u32 = account
            .strip_prefix("acct-")
            .expect("acct-")
            .parse()
            .expect("a number");
        assert!((a as usize) < config.accounts, "{job}: {account}");
        assert_eq!(account, account_id(a));
        modes.insert(mode.to_string());
        accounts.insert(a);
        if first["status"] != "CREATING" {
            first_lost += 1;
        }
        for (_, later) in &polls[1..] {
            assert!(later.get("mode").is_none() && later.get("account").is_none());
        }
    }
    assert_eq!(modes.len(), 3, "every mode");
    assert_eq!(accounts.len(), config.accounts, "every account");
    assert!(first_lost > 0, "some first polls were lost");
    // A job's commands name neither.
    for line in text.lines().filter(|l| l.contains("\"kind\":\"command\"")) {
        assert!(!line.contains("\"mode\"") && !line.contains("\"account\""));
    }
}

#[test]
fn a_deleted_task_is_polled_deleted_once_then_not_found_for_sixty_polls() {
    let config = Config {
        tasks: 20,
        accounts: 2,
        days: 2,
        seed: 4,
        poll_every_s: 600,
        jitter_s: 30,
        lost_polls: 0.0,
        fault: None,
    };
    let (text, _) = simulated(&config);
    let end = (EPOCH_MS + 2 * DAY) / SECOND;
    let (mut deleted, mut whole) = (0, 0);
    for (job, polls) in polls_by_job(&text) {
        let Some(at) = polls.iter().position(|(_, p)| p["status"] == "DELETED") else {
            assert!(
                text.lines()
                    .all(|l| !l.contains(&job) || !l.contains("DRS.M05004"))
            );
            continue;
        };
        deleted += 1;
        let after = &polls[at + 1..];
        assert!(
            after
                .iter()
                .all(|(_, p)| p["error_code"] == "DRS.M05004" && p.get("status").is_none()),
            "{job}"
        );
        // Sixty polls in all (the DELETED one first), unless the history ends first.
        let last = polls.last().expect("a poll").0;
        if last < end - 700 {
            assert_eq!(after.len() + 1, usize::from(POLLS_AFTER_DELETE), "{job}");
            whole += 1;
        } else {
            assert!(after.len() < usize::from(POLLS_AFTER_DELETE), "{job}");
        }
    }
    assert!(
        deleted > 0 && whole > 0,
        "{deleted} deleted, {whole} polled to the end"
    );
}

#[test]
fn job_ids_have_six_digits_and_more_past_a_million() {
    for i in [
        0,
        7,
        42,
        999_999,
        1_000_000,
        1_234_567,
        10_000_000,
        usize::MAX / 2,
    ] {
        let mut buf = Vec::new();
        push_job(&mut buf, i);
        assert_eq!(String::from_utf8(buf).expect("ASCII"), job_id(i), "{i}");
    }
    assert_eq!(job_id(42), "job-000042");
    assert_eq!(job_id(1_234_567), "job-1234567");
    let mut buf = b"x".to_vec();
    push_job(&mut buf, 1_000_000);
    assert_eq!(buf, b"xjob-1000000");
    assert_eq!(account_id(3), "acct-003");
    assert_eq!(account_id(1234), "acct-1234");
}

/// A writer that keeps every `write` call's size and whether it was flushed at the end.
#[derive(Default)]
struct Chunks {
    bytes: Vec<u8>,
    sizes: Vec<usize>,
    flushed_at: Option<usize>,
}

impl io::Write for Chunks {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        self.sizes.push(buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.flushed_at = Some(self.bytes.len());
        Ok(())
    }
}

#[test]
fn the_history_is_written_in_chunks_of_a_mebibyte_and_flushed() {
    let mut out = Chunks::default();
    run(&FAULT_FLEET, &mut out).expect("writes");
    assert!(out.bytes.len() > 3 << 20, "{} bytes", out.bytes.len());
    let (last, full) = out.sizes.split_last().expect("writes");
    assert!(!full.is_empty());
    for &size in full {
        assert!(size > 1 << 20 && size < (1 << 20) + 512, "{size}");
    }
    assert!(*last <= (1 << 20) + 512);
    assert_eq!(out.flushed_at, Some(out.bytes.len()));
    assert_eq!(out.bytes, simulated(&FAULT_FLEET).0.into_bytes());
}

/// A writer that fails after `left` bytes.
struct Failing {
    left: usize,
}

impl io::Write for Failing {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.len() > self.left {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "gone"));
        }
        self.left -= buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_writer_stops_the_run_with_its_error() {
    // The first chunk, a later one, and the last write of all.
    let total = simulated(&FAULT_FLEET).0.len();
    for left in [0, 1 << 20, total - 1] {
        let error = run(&FAULT_FLEET, &mut Failing { left }).expect_err("the writer fails");
        assert_eq!(error.kind(), io::ErrorKind::BrokenPipe);
    }
}

// The documented distributions of `plan`.

/// A task of `status` (and `mode`), as `plan` reads it.
fn task(status: Status, mode: Mode) -> TaskSpec {
    TaskSpec {
        status,
        ..TaskSpec::created(mode)
    }
}

/// Draws `n` plans: the delays and how often each actor was chosen (`None`: no step).
fn draws(state: TaskSpec, n: usize) -> (Vec<i64>, Vec<(Option<Actor>, f64)>) {
    let mut rng = Rng::new(2024);
    let mut delays = Vec::new();
    let mut counts: std::collections::BTreeMap<Option<Actor>, usize> = Default::default();
    for _ in 0..n {
        match plan(&state, &mut rng) {
            Some((after, actor)) => {
                delays.push(after);
                *counts.entry(Some(actor)).or_default() += 1;
            }
            None => *counts.entry(None).or_default() += 1,
        }
    }
    let shares = counts
        .into_iter()
        .map(|(a, c)| (a, c as f64 / n as f64))
        .collect();
    (delays, shares)
}

/// The table's row: delays in `[low, high]` reaching near both ends (log-uniform or
/// uniform by its median), and the actors' shares within 2.5 points.
fn row(
    covered: &mut Vec<Status>,
    state: TaskSpec,
    low: i64,
    high: i64,
    log: bool,
    shares: &[(Option<Actor>, f64)],
) {
    const N: usize = 4000;
    covered.push(state.status);
    let (delays, got) = draws(state, N);
    let label = format!("{:?} {:?}", state.status, state.mode);
    if !delays.is_empty() {
        let (min, max) = (
            *delays.iter().min().expect("a delay"),
            *delays.iter().max().expect("a delay"),
        );
        assert!(min >= low && max <= high, "{label}: {min}..{max}");
        let span = (high - low) as f64;
        assert!(
            (min - low) as f64 <= span * 0.01 && (high - max) as f64 <= span * 0.01,
            "{label}: {min}..{max} does not reach both ends of {low}..{high}"
        );
        let mut sorted = delays.clone();
        sorted.sort_unstable();
        let median = sorted[sorted.len() / 2] as f64;
        let expected = if log {
            ((low as f64) * (high as f64)).sqrt()
        } else {
            (low + high) as f64 / 2.0
        };
        assert!(
            (median - expected).abs() <= span * 0.04,
            "{label}: median {median}, expected {expected}"
        );
    }
    let mut want: Vec<(Option<Actor>, f64)> = shares.to_vec();
    want.sort_by_key(|a| a.0);
    assert_eq!(
        got.iter().map(|g| g.0).collect::<Vec<_>>(),
        want.iter().map(|w| w.0).collect::<Vec<_>>(),
        "{label}: the actors"
    );
    for ((actor, share), (_, expected)) in got.iter().zip(&want) {
        assert!(
            (share - expected).abs() <= 0.025,
            "{label}: {actor:?} {share}, documented {expected}"
        );
    }
}

#[test]
fn plan_draws_the_documented_distributions() {
    use Actor::{Service as S, User as U};
    const SEC: i64 = SECOND;
    let f = Mode::FullIncremental;
    let covered = &mut Vec::new();
    row(
        covered,
        task(Status::Creating, f),
        2 * MINUTE,
        6 * MINUTE,
        false,
        &[
            (Some(S(Event::InstanceReady)), 0.95),
            (Some(S(Event::InstanceCreationFailed)), 0.05),
        ],
    );
    row(
        covered,
        task(Status::CreateFailed, f),
        10 * MINUTE,
        HOUR,
        false,
        &[(Some(U(Event::Delete)), 1.0)],
    );
    row(
        covered,
        task(Status::Configuration, f),
        5 * MINUTE,
        HOUR,
        false,
        &[
            (Some(U(Event::StartNow)), 0.8),
            (Some(U(Event::ScheduleStart)), 0.2),
        ],
    );
    row(
        covered,
        task(Status::WaitingToStart, f),
        HOUR,
        6 * HOUR,
        false,
        &[(Some(S(Event::StartTimeReached)), 1.0)],
    );
    row(
        covered,
        task(Status::Starting, f),
        30 * SEC,
        2 * MINUTE,
        false,
        &[
            (Some(S(Event::StartSucceeded)), 0.96),
            (Some(S(Event::StartError)), 0.03),
            (Some(U(Event::ForceEnd)), 0.01),
        ],
    );
    row(
        covered,
        task(Status::FullMigration, f),
        HOUR,
        12 * HOUR,
        true,
        &[
            (Some(S(Event::FullDone)), 0.93),
            (Some(S(Event::InstanceFault)), 0.03),
            (Some(S(Event::FullError)), 0.02),
            (Some(U(Event::Pause)), 0.02),
        ],
    );
    for (mode, then) in [
        (Mode::Full, Event::MigrationFinished),
        (Mode::FullIncremental, Event::IncrementalBegun),
        (Mode::Incremental, Event::IncrementalBegun),
    ] {
        row(
            covered,
            task(Status::FullMigrationComplete, mode),
            10 * SEC,
            MINUTE,
            false,
            &[(Some(S(then)), 1.0)],
        );
    }
    row(
        covered,
        task(Status::IncrementalMigration, f),
        6 * HOUR,
        3 * DAY,
        true,
        &[
            (Some(U(Event::End)), 0.63),
            (Some(U(Event::ForceEnd)), 0.07),
            (Some(U(Event::Pause)), 0.15),
            (Some(S(Event::InstanceFault)), 0.10),
            (Some(S(Event::IncrementalError)), 0.05),
        ],
    );
    row(
        covered,
        task(Status::Paused, f),
        10 * MINUTE,
        2 * HOUR,
        false,
        &[(Some(U(Event::Resume)), 0.85), (Some(U(Event::End)), 0.15)],
    );
    row(
        covered,
        task(Status::FaultRecovery, f),
        2 * MINUTE,
        10 * MINUTE,
        false,
        &[
            (Some(S(Event::RecoveryDone)), 0.9),
            (Some(S(Event::RecoveryError)), 0.1),
        ],
    );
    for failed in [
        Status::StartFailed,
        Status::FullMigrationFailed,
        Status::IncrementalMigrationFailed,
        Status::FaultRecoveryFailed,
    ] {
        row(
            covered,
            task(failed, f),
            10 * MINUTE,
            2 * HOUR,
            false,
            &[
                (Some(U(Event::Retry)), 0.7),
                (Some(U(Event::Reset)), 0.1),
                (Some(U(Event::End)), 0.2),
            ],
        );
    }
    row(
        covered,
        task(Status::EndRequested, f),
        5 * SEC,
        30 * SEC,
        false,
        &[(Some(S(Event::ReleaseBegun)), 1.0)],
    );
    row(
        covered,
        task(Status::Ending, f),
        MINUTE,
        5 * MINUTE,
        false,
        &[
            (Some(S(Event::ReleaseDone)), 0.98),
            (Some(S(Event::ReleaseError)), 0.02),
        ],
    );
    row(
        covered,
        task(Status::EndFailed, f),
        10 * MINUTE,
        30 * MINUTE,
        false,
        &[(Some(U(Event::End)), 1.0)],
    );
    row(
        covered,
        task(Status::Ended, f),
        HOUR,
        DAY,
        false,
        &[(Some(U(Event::Delete)), 0.7), (None, 0.3)],
    );
    row(
        covered,
        task(Status::Frozen, f),
        7 * DAY,
        7 * DAY,
        false,
        &[(Some(S(Event::RetentionExpired)), 1.0)],
    );
    row(
        covered,
        task(Status::Deleted, f),
        0,
        0,
        false,
        &[(None, 1.0)],
    );
    // Every status has its row: a status added to the lifecycle needs one.
    covered.sort();
    covered.dedup();
    assert_eq!(covered[..], Status::ALL[..]);
}

#[test]
fn the_first_pick_of_a_row_takes_draws_below_its_share_and_the_last_takes_the_rest() {
    // Among many draws, the smallest unit draws pick the first option, the largest the
    // last: the cumulative shares are compared with `<`, in the table's order.
    let state = task(Status::Starting, Mode::Full);
    for seed in 0..300 {
        let r = Rng::new(seed).unit();
        let (_, actor) = plan(&state, &mut Rng::new(seed)).expect("a plan");
        let expected = if r < 0.96 {
            Actor::Service(Event::StartSucceeded)
        } else if r < 0.99 {
            Actor::Service(Event::StartError)
        } else {
            Actor::User(Event::ForceEnd)
        };
        assert_eq!(actor, expected, "seed {seed}: r = {r}");
    }
}

#[test]
fn arrears_come_at_the_documented_rate() {
    let mut rng = Rng::new(3);
    let n = 20_000;
    let waits: Vec<i64> = (0..n)
        .map(|_| exponential(&mut rng, TUNING.arrears_per_account_per_day))
        .collect();
    assert!(waits.iter().all(|&w| w >= 0));
    let mean = waits.iter().sum::<i64>() as f64 / n as f64 / DAY as f64;
    assert!((mean - 20.0).abs() < 0.6, "mean wait {mean} days");
    // Exponential: about 1 - 1/e of the waits are shorter than the mean.
    let short = waits.iter().filter(|&&w| w < 20 * DAY).count() as f64 / n as f64;
    assert!((short - 0.632).abs() < 0.015, "{short}");
    // And the mean is the reciprocal of the rate.
    let mut rng = Rng::new(3);
    let fast: i64 = (0..n).map(|_| exponential(&mut rng, 2.0)).sum();
    let mean = fast as f64 / n as f64 / DAY as f64;
    assert!((mean - 0.5).abs() < 0.02, "{mean}");
}

// The generator.

#[test]
fn the_generator_gives_the_same_numbers_forever() {
    let mut rng = Rng::new(0);
    let first: Vec<u64> = (0..4).map(|_| rng.next_u64()).collect();
    let mut rng = Rng::new(1);
    let seeded: Vec<u64> = (0..2).map(|_| rng.next_u64()).collect();
    expect_test::expect![[r#"
        [ba8894fa3be59747, 069945dea82460da, f2b5717db02809ea, 4604208f575a097a]
        [c1b4bb728dd96dc3, fc94d6cba1d4622c]
    "#]]
    .assert_eq(&format!("{first:016x?}\n{seeded:016x?}\n"));
    let mut rng = Rng::new(1);
    let unit = rng.unit();
    assert_eq!(unit, (seeded[0] >> 11) as f64 / (1u64 << 53) as f64);
}

#[test]
fn unit_draws_are_in_zero_to_one_and_uniform() {
    let mut rng = Rng::new(12);
    let n = 20_000;
    let draws: Vec<f64> = (0..n).map(|_| rng.unit()).collect();
    assert!(draws.iter().all(|u| (0.0..1.0).contains(u)));
    let mean = draws.iter().sum::<f64>() / n as f64;
    assert!((mean - 0.5).abs() < 0.01, "{mean}");
    let low = draws.iter().filter(|&&u| u < 0.1).count() as f64 / n as f64;
    assert!((low - 0.1).abs() < 0.01, "{low}");
}

#[test]
fn between_hits_both_ends_and_nothing_outside() {
    let mut rng = Rng::new(13);
    let mut counts = [0usize; 7];
    for _ in 0..7000 {
        let v = rng.between(-3, 3);
        assert!((-3..=3).contains(&v), "{v}");
        counts[(v + 3) as usize] += 1;
    }
    for (k, &c) in counts.iter().enumerate() {
        assert!(
            (850..=1150).contains(&c),
            "{} drawn {c} times",
            k as i64 - 3
        );
    }
    assert_eq!(rng.between(5, 5), 5);
    assert_eq!(
        rng.between(i64::from(u32::MAX), i64::from(u32::MAX)),
        4_294_967_295
    );
    let big = rng.between(0, 10 * DAY);
    assert!((0..=10 * DAY).contains(&big));
}

#[test]
fn log_between_is_log_uniform_over_its_range() {
    let mut rng = Rng::new(14);
    let n = 20_000;
    let draws: Vec<i64> = (0..n).map(|_| rng.log_between(1000, 1_000_000)).collect();
    assert!(draws.iter().all(|v| (1000..=1_000_000).contains(v)));
    // Each decade a third.
    for (low, high) in [(1000, 10_000), (10_000, 100_000), (100_000, 1_000_001)] {
        let share = draws.iter().filter(|&&v| (low..high).contains(&v)).count() as f64 / n as f64;
        assert!((share - 1.0 / 3.0).abs() < 0.015, "{low}..{high}: {share}");
    }
    assert!(*draws.iter().min().expect("draws") < 1010);
    assert!(*draws.iter().max().expect("draws") > 990_000);
}

#[test]
fn chance_is_never_at_zero_always_at_one_and_in_proportion_between() {
    let mut rng = Rng::new(15);
    assert!((0..10_000).all(|_| !rng.chance(0.0)));
    assert!((0..10_000).all(|_| rng.chance(1.0)));
    let n = 20_000;
    let hits = (0..n).filter(|_| rng.chance(0.25)).count() as f64 / n as f64;
    assert!((hits - 0.25).abs() < 0.01, "{hits}");
}

// The limits of a configuration.

#[test]
fn a_configuration_is_refused_past_each_limit_with_its_message() {
    let ok = Config::default();
    assert_eq!(ok.problem(), None);
    let problem = |change: &dyn Fn(&mut Config)| {
        let mut config = Config::default();
        change(&mut config);
        config.problem()
    };
    for fine in [
        problem(&|c| c.tasks = 1),
        problem(&|c| c.tasks = MAX_TASKS),
        problem(&|c| c.accounts = 1),
        problem(&|c| c.accounts = MAX_ACCOUNTS),
        problem(&|c| c.days = 1),
        problem(&|c| c.days = MAX_DAYS),
        problem(&|c| {
            c.poll_every_s = 1;
            c.jitter_s = 0;
        }),
        problem(&|c| {
            c.poll_every_s = 60;
            c.jitter_s = 59;
        }),
        problem(&|c| c.lost_polls = 0.0),
        problem(&|c| c.lost_polls = 0.999),
    ] {
        assert_eq!(fine, None);
    }
    let refused = [
        problem(&|c| c.tasks = 0),
        problem(&|c| c.tasks = MAX_TASKS + 1),
        problem(&|c| c.accounts = 0),
        problem(&|c| c.accounts = MAX_ACCOUNTS + 1),
        problem(&|c| c.days = 0),
        problem(&|c| c.days = MAX_DAYS + 1),
        problem(&|c| {
            c.poll_every_s = 0;
            c.jitter_s = 0;
        }),
        problem(&|c| {
            c.poll_every_s = 60;
            c.jitter_s = 60;
        }),
        problem(&|c| {
            c.poll_every_s = 60;
            c.jitter_s = 61;
        }),
        problem(&|c| c.lost_polls = -0.01),
        problem(&|c| c.lost_polls = 1.0),
        problem(&|c| c.lost_polls = f64::NAN),
        // The first problem is the one named.
        problem(&|c| {
            c.tasks = 0;
            c.days = 0;
        }),
    ];
    let text: Vec<String> = refused.into_iter().map(|p| p.expect("a problem")).collect();
    expect_test::expect![[r#"
        --tasks 0 is impossible: 1 to 10000000
        --tasks 10000001 is impossible: 1 to 10000000
        --accounts 0 is impossible: 1 to 100000
        --accounts 100001 is impossible: 1 to 100000
        --days 0 is impossible: 1 to 366
        --days 367 is impossible: 1 to 366
        --poll-every 0 with --jitter 0 is impossible: the interval must be positive and larger than the jitter
        --poll-every 60 with --jitter 60 is impossible: the interval must be positive and larger than the jitter
        --poll-every 60 with --jitter 61 is impossible: the interval must be positive and larger than the jitter
        --lost-polls -0.01 is impossible: a share in [0, 1)
        --lost-polls 1 is impossible: a share in [0, 1)
        --lost-polls NaN is impossible: a share in [0, 1)
        --tasks 0 is impossible: 1 to 10000000
    "#]]
    .assert_eq(&(text.join("\n") + "\n"));
    assert_eq!(
        (MAX_TASKS, MAX_ACCOUNTS, MAX_DAYS),
        (10_000_000, 100_000, 366)
    );
}

#[test]
fn the_default_configuration_is_the_command_lines() {
    assert_eq!(
        Config::default(),
        Config {
            tasks: 100,
            accounts: 10,
            days: 7,
            seed: 1,
            poll_every_s: 60,
            jitter_s: 5,
            lost_polls: 0.01,
            fault: None,
        }
    );
}

#[test]
#[should_panic(expected = "run() takes a valid configuration")]
fn run_refuses_an_impossible_configuration() {
    let config = Config {
        tasks: 0,
        ..Config::default()
    };
    let _ = run(&config, &mut Vec::new());
}

// The chart.

/// Three samples over two days: a fleet that starts, migrates, and ends.
fn sample_set() -> Vec<(i64, [u32; crate::spec::STATUS_COUNT])> {
    let at = |status: Status, n: u32, counts: &mut [u32; crate::spec::STATUS_COUNT]| {
        counts[status.index()] = n;
    };
    let mut a = [0; crate::spec::STATUS_COUNT];
    at(Status::Creating, 2, &mut a);
    at(Status::Configuration, 1, &mut a);
    let mut b = [0; crate::spec::STATUS_COUNT];
    at(Status::FullMigration, 2, &mut b);
    at(Status::IncrementalMigration, 1, &mut b);
    at(Status::Paused, 1, &mut b);
    at(Status::Frozen, 1, &mut b);
    at(Status::Deleted, 50, &mut b);
    let mut c = [0; crate::spec::STATUS_COUNT];
    at(Status::Ended, 3, &mut c);
    at(Status::Ending, 1, &mut c);
    at(Status::FaultRecoveryFailed, 1, &mut c);
    at(Status::Deleted, 60, &mut c);
    vec![(EPOCH_MS, a), (EPOCH_MS + DAY, b), (EPOCH_MS + 2 * DAY, c)]
}

#[test]
fn the_chart_of_a_known_sample_set_is_pinned() {
    let chart = svg::chart(&sample_set(), "a <small> fleet & its days");
    expect_test::expect_file!["../../tests/simulated/chart.svg"].assert_eq(&chart);
}

#[test]
fn the_chart_is_well_formed_with_its_bands_in_lifecycle_order() {
    let (_, summary) = simulated(&PINNED);
    for (samples, title) in [
        (sample_set(), "known"),
        (summary.samples.clone(), "pinned fleet"),
        (Vec::new(), "empty"),
        (sample_set()[..1].to_vec(), "one sample"),
    ] {
        let chart = svg::chart(&samples, title);
        assert!(
            chart.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{title}"
        );
        assert!(chart.ends_with("</svg>\n"), "{title}");
        assert_eq!(chart.matches("<svg").count(), 1);
        assert_eq!(chart.matches("<polygon").count(), 8, "{title}");
        assert_eq!(chart.matches("</polygon>").count(), 8, "{title}");
        let titles: Vec<&str> = chart
            .split("<title>")
            .skip(1)
            .map(|s| s.split("</title>").next().expect("closed"))
            .collect();
        assert_eq!(
            titles,
            [
                "setup (creating … starting)",
                "full migration",
                "incremental migration",
                "paused",
                "fault recovery and failed",
                "frozen (arrears)",
                "ending",
                "ended",
            ],
            "{title}"
        );
        assert!(!chart.contains("NaN") && !chart.contains("inf"), "{title}");
    }
}

#[test]
fn the_charts_scale_is_the_largest_listed_total_and_its_days_are_labelled() {
    // Deleted tasks are not drawn: the top of the scale is 5 (the third sample's listed
    // tasks), not 65.
    let chart = svg::chart(&sample_set(), "t");
    assert!(chart.contains(">5</text>") && !chart.contains(">65</text>"));
    assert!(chart.contains(">day 0</text>") && chart.contains(">day 2</text>"));
    // Two and a half days: the labels stop at the last whole day inside.
    let mut samples = sample_set();
    samples[2].0 += DAY / 2;
    let chart = svg::chart(&samples, "t");
    assert!(chart.contains(">day 2</text>") && !chart.contains(">day 3</text>"));
    // Thirty days: a label every other day, the last on day 30.
    let month: Vec<_> = (0..=30)
        .map(|d| (EPOCH_MS + d * DAY, [1; crate::spec::STATUS_COUNT]))
        .collect();
    let chart = svg::chart(&month, "month");
    let days: Vec<&str> = chart
        .split("text-anchor=\"middle\">")
        .skip(1)
        .map(|s| s.split("</text>").next().expect("closed"))
        .collect();
    let expected: Vec<String> = (0..=30).step_by(2).map(|d| format!("day {d}")).collect();
    assert_eq!(days, expected);
    // Every polygon lies inside the plot.
    for points in chart.split("points=\"").skip(1) {
        let points = points.split('"').next().expect("closed");
        for point in points.split(' ') {
            let (x, y) = point.split_once(',').expect("x,y");
            let (x, y): (f64, f64) = (x.parse().expect("x"), y.parse().expect("y"));
            assert!(
                (60.0..=720.0).contains(&x) && (40.0..=380.0).contains(&y),
                "{x},{y}"
            );
        }
    }
}
