//! Throughput of the history tools: `simulate` writing, and `validate` parsing and judging
//! (end to end from bytes in memory, and judging alone on records already parsed).
//!
//! Targets (issue 11): validate ≥ 2 M records/s end to end, judging ≥ 20 M records/s,
//! simulate ≥ 5 M records/s. Issue 20 adds a ceiling measured in the same run: the same
//! bytes split into lines and parsed with `serde_json` into a borrowed struct of the
//! record's fields, nothing judged; `validate` end to end holds ≥ 0.8× of it.
//! `cargo bench --bench history` (add `-- --quick` on a busy machine).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use drs_lifecycle::history::validate::{Settings, Validator};
use drs_lifecycle::history::{Judge, Options, Record, parse_line};
use drs_lifecycle::simulate::{Config, run};
use serde::Deserialize;

/// The allocator `drs-lifecycle` runs with, so that these figures are the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn history() -> Vec<u8> {
    let config = Config {
        tasks: 300,
        days: 2,
        seed: 7,
        ..Config::default()
    };
    let mut out = Vec::new();
    run(&config, &mut out).expect("writes to memory");
    out
}

/// Every field a record line has, borrowed: what the cheapest serde reading of a line costs.
#[derive(Deserialize)]
#[allow(dead_code)]
struct Fields<'a> {
    kind: &'a str,
    #[serde(default)]
    job: Option<&'a str>,
    #[serde(default)]
    t: Option<&'a str>,
    #[serde(default)]
    status: Option<&'a str>,
    #[serde(default)]
    error_code: Option<&'a str>,
    #[serde(default)]
    mode: Option<&'a str>,
    #[serde(default)]
    account: Option<&'a str>,
    #[serde(default)]
    op: Option<&'a str>,
    #[serde(default)]
    answer: Option<&'a str>,
    #[serde(default)]
    event: Option<&'a str>,
    #[serde(default)]
    format: Option<&'a str>,
    #[serde(default)]
    commands: Option<&'a str>,
    #[serde(default)]
    billing: Option<&'a str>,
    #[serde(default)]
    apply_within: Option<&'a str>,
    #[serde(default)]
    source: Option<&'a str>,
}

fn benches(c: &mut Criterion) {
    let bytes = history();
    let text = std::str::from_utf8(&bytes).expect("UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    let records = lines.len() as u64;
    let parsed: Vec<Record<'_>> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| parse_line(line, i as u64 + 1).expect("a valid history"))
        .collect();
    let options = Options {
        commands_complete: true,
        billing_recorded: true,
        apply_within: Some(30 * 60 * 1000),
        ..Options::default()
    };

    let mut group = c.benchmark_group("history");
    group.throughput(Throughput::Elements(records));
    group.sample_size(10);
    group.bench_function("simulate (records written)", |b| {
        let config = Config {
            tasks: 300,
            days: 2,
            seed: 7,
            ..Config::default()
        };
        let mut out = Vec::with_capacity(bytes.len() + 1024);
        b.iter(|| {
            out.clear();
            black_box(run(&config, &mut out).expect("writes"));
        })
    });
    group.bench_function("validate end to end (parse and judge)", |b| {
        // The library's whole reading loop (`validate` without its output): lines split,
        // checked as UTF-8, parsed, the header honoured, every record judged.
        b.iter(|| {
            let mut validator = Validator::new(Settings::default());
            validator.read(&bytes[..], "bench").expect("valid");
            let outcome = validator.finish();
            black_box(outcome.judge.violations.len())
        })
    });
    group.bench_function("judge alone (records in memory)", |b| {
        b.iter(|| {
            let mut judge = Judge::new(options);
            for (i, record) in parsed.iter().enumerate() {
                judge.record(record, i as u64 + 1).expect("in order");
            }
            black_box(judge.violations.len())
        })
    });
    group.bench_function("parse-only ceiling (serde_json, borrowed fields)", |b| {
        // The same bytes, split and checked as UTF-8 as the validator does, each line read
        // into a borrowed struct: the cost of reading, with nothing judged.
        b.iter(|| {
            let mut n = 0usize;
            for line in bytes.split(|b| *b == b'\n') {
                let Ok(text) = std::str::from_utf8(line) else {
                    continue;
                };
                if text.is_empty() {
                    continue;
                }
                let fields: Fields<'_> = serde_json::from_str(text).expect("a record");
                n += fields.kind.len();
            }
            black_box(n)
        })
    });
    group.bench_function("parse alone", |b| {
        b.iter(|| {
            for (i, line) in lines.iter().enumerate() {
                black_box(parse_line(line, i as u64 + 1).expect("valid"));
            }
        })
    });
    group.finish();
}

criterion_group!(history_benches, benches);
criterion_main!(history_benches);
