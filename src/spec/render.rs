//! Renderers of the specification: Markdown, Mermaid, Graphviz DOT and JSON.
//!
//! Every table and diagram here is computed from the specification's data ([`RULES`],
//! [`Status::ALL`], [`Event::KINDS`], [`Mode::ALL`] and the status predicates); none is
//! written by hand. That is what lets `docs/lifecycle.md` be a generated file with a test
//! that fails when it drifts: the table in the docs cannot disagree with the table that
//! `step` runs, because it is the same table.
//!
//! The rules speak of targets that depend on memory ("the remembered phase"). Diagrams need
//! plain status-to-status edges, so each rule is expanded over its `from` list and over
//! [`Target::possible_statuses`]; the JSON carries both the rules as written and that
//! expansion.
//!
//! Output is deterministic (rule order, then status order) and ends with a newline, so that
//! a generated file diffs cleanly.

use std::fmt::Write as _;

use serde::Serialize;

use super::observe::{Observation, observe};
use super::table::{RULES, Rule, Target, edges};
use super::{
    ApiCode, CONSOLE_STATUS_COUNT, CodeClass, Event, Mode, Phase, Source, Status, TaskSpec,
};

/// The command that regenerates `docs/lifecycle.md`; the document and the drift test quote it.
pub const REGENERATE: &str = "cargo run -- spec --format markdown > docs/lifecycle.md";

/// What [`render`] writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The lifecycle document: statuses, modes, events, the transition table, the billing
    /// rules and the state diagram (`docs/lifecycle.md` is exactly this output).
    Markdown,
    /// The state diagram as a Mermaid `stateDiagram-v2`, every edge of the table.
    Mermaid,
    /// The state diagram in Graphviz DOT.
    Dot,
    /// The whole specification, machine-readable.
    Json,
}

/// Renders the specification in the given format.
pub fn render(format: Format) -> String {
    match format {
        Format::Markdown => markdown(),
        Format::Mermaid => mermaid(),
        Format::Dot => dot(),
        Format::Json => json(),
    }
}

// ---------------------------------------------------------------------------------------
// Edges shared by the diagrams and the JSON.
// ---------------------------------------------------------------------------------------

/// One status-to-status edge of the expanded table. `from` is `None` for creation, which
/// starts from no task at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Edge {
    from: Option<Status>,
    event: Event,
    to: Status,
    /// Index of the rule in [`RULES`] this edge comes from.
    rule: usize,
}

/// Every edge, in rule order: the rule's `from` statuses, then its possible targets.
fn expanded_edges() -> Vec<Edge> {
    let mut out = Vec::new();
    for (rule_index, rule) in RULES.iter().enumerate() {
        let froms: Vec<Option<Status>> = if rule.from.is_empty() {
            vec![None]
        } else {
            rule.from.iter().copied().map(Some).collect()
        };
        for from in froms {
            for to in rule.to.possible_statuses() {
                out.push(Edge {
                    from,
                    event: rule.event,
                    to,
                    rule: rule_index,
                });
            }
        }
    }
    out
}

/// A diagram arrow: every event that takes `from` to `to`, so that two events between the
/// same statuses (start now and start time reached) share one arrow instead of drawing
/// their labels on top of each other.
struct Arrow {
    from: Option<Status>,
    to: Status,
    events: Vec<Event>,
}

impl Arrow {
    fn label(&self) -> String {
        let words: Vec<String> = self
            .events
            .iter()
            .map(|event| event_words(*event))
            .collect();
        words.join(" / ")
    }
}

fn arrows() -> Vec<Arrow> {
    let mut out: Vec<Arrow> = Vec::new();
    for edge in expanded_edges() {
        match out
            .iter_mut()
            .find(|arrow| arrow.from == edge.from && arrow.to == edge.to)
        {
            Some(arrow) => {
                if !arrow.events.contains(&edge.event) {
                    arrow.events.push(edge.event);
                }
            }
            None => out.push(Arrow {
                from: edge.from,
                to: edge.to,
                events: vec![edge.event],
            }),
        }
    }
    out
}

/// The event in the brief's words; creation shows that it takes a mode.
fn event_words(event: Event) -> String {
    match event {
        Event::Create(_) => "create(mode)".to_string(),
        other => other.describe().to_string(),
    }
}

/// `创建中 Creating`: how the diagrams name a status.
fn diagram_name(status: Status) -> String {
    format!("{} {}", status.zh(), status.english())
}

// ---------------------------------------------------------------------------------------
// Markdown.
// ---------------------------------------------------------------------------------------

fn markdown() -> String {
    let mut out = String::new();
    md_header(&mut out);
    md_statuses(&mut out);
    md_api_codes(&mut out);
    md_modes(&mut out);
    md_events(&mut out);
    md_transitions(&mut out);
    md_fleet(&mut out);
    md_observations(&mut out);
    md_version_2(&mut out);
    md_diagram(&mut out);
    out
}

fn md_header(out: &mut String) {
    out.push_str("# The DRS migration-task lifecycle\n\n");
    out.push_str(
        "<!-- Generated by `drs-lifecycle spec --format markdown`: do not edit by hand. -->\n\n",
    );
    let _ = write!(
        out,
        "> Generated by `drs-lifecycle spec --format markdown` from the transition table in \
         `src/spec/table.rs`; do not edit by hand. Change the specification, then regenerate \
         with `{REGENERATE}`. The test `tests/docs_in_sync.rs` fails while this file and the \
         table disagree.\n\n"
    );
    let api_only = name_list(
        Status::ALL
            .into_iter()
            .filter(|s| s.console_number().is_none() && s.is_listed()),
    );
    let _ = write!(
        out,
        "A DRS real-time migration task (实时迁移任务) has {CONSOLE_STATUS_COUNT} statuses that \
         the console's table shows, two more that its API shows on ordinary paths \
         ({api_only}; version 2 of this specification), and `Deleted`, which no list shows \
         but a query by id still answers. Users \
         operate a task, the service reports on its own work, and billing moves the task's \
         account into and out of arrears; the transition table says which of these events \
         each status accepts. Every other event is refused with an error that names the \
         status and the event, and changes nothing.\n\n"
    );
}

fn yes(flag: bool) -> &'static str {
    if flag { "yes" } else { "" }
}

fn md_statuses(out: &mut String) {
    out.push_str("## Statuses\n\n");
    out.push_str(
        "The number is the status's row in the console's table (the API statuses and \
         `Deleted` have none). The console name is the one the Chinese DRS console shows; the \
         API code is what the DRS API returns. *Transient* statuses are left by the system on its own; *failure* \
         statuses report a failure of the service; *terminal* statuses end the lifecycle; a \
         task *holds* a migration instance from creation's success until the release \
         completes; *freezable* statuses are the ones an account in arrears freezes; \
         *listed* statuses appear in the console's task list.\n\n",
    );
    out.push_str(
        "| # | Rust name | 中文 (console) | English | API code | transient | failure | terminal \
         | holds instance | freezable | listed |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for status in Status::ALL {
        let number = status
            .console_number()
            .map_or_else(|| "–".to_string(), |n| n.to_string());
        let code = match status.api_code() {
            Some(code) => format!("`{code}`"),
            None => "— (console only)".to_string(),
        };
        let _ = writeln!(
            out,
            "| {number} | `{}` | {} | {} | {code} | {} | {} | {} | {} | {} | {} |",
            status.name(),
            status.zh(),
            status.english(),
            yes(status.is_transient()),
            yes(status.is_failure()),
            yes(status.is_terminal()),
            yes(status.holds_instance()),
            yes(status.is_freezable()),
            yes(status.is_listed()),
        );
    }
    out.push('\n');
}

/// The phases a mode runs, from [`Mode::runs`], and how its task ends: a mode without the
/// incremental phase ends by itself when the full phase is done.
fn mode_meaning(mode: Mode) -> String {
    let phases: Vec<&str> = [Phase::Full, Phase::Incremental]
        .into_iter()
        .filter(|phase| mode.runs(*phase))
        .map(Phase::english)
        .collect();
    let ending = if mode.runs(Phase::Incremental) {
        "runs until the user ends the task"
    } else {
        "the task ends by itself when the full phase is done"
    };
    format!("{} migration; {ending}", phases.join(", then "))
}

fn md_modes(out: &mut String) {
    out.push_str("## Migration modes\n\n");
    out.push_str(
        "A task is created with a mode and keeps it. A first start and a reset head for the \
         mode's first phase; resume and retry head for the phase the task was in.\n\n",
    );
    out.push_str("| API code | meaning | first phase |\n");
    out.push_str("|---|---|---|\n");
    for mode in Mode::ALL {
        let first = mode.first_phase().running();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} (`{}`) |",
            mode.api_code(),
            mode_meaning(mode),
            first.english(),
            first.name(),
        );
    }
    out.push('\n');
}

fn source_name(source: Source) -> &'static str {
    match source {
        Source::User => "user",
        Source::System => "system",
        Source::Billing => "billing",
    }
}

fn md_events(out: &mut String) {
    out.push_str("## Events\n\n");
    out.push_str(
        "User operations come from the console or the API; system events are the service's \
         reports on its own work and its timers; billing events move a whole account into or \
         out of arrears. A frozen task refuses every user operation.\n\n",
    );
    out.push_str("| event | words | source |\n");
    out.push_str("|---|---|---|\n");
    for event in Event::KINDS {
        let name = match event {
            Event::Create(_) => "Create(mode)".to_string(),
            other => other.name().to_string(),
        };
        let _ = writeln!(
            out,
            "| `{name}` | {} | {} |",
            md_event(event),
            source_name(event.source()),
        );
    }
    out.push('\n');
}

/// The event as the brief's table writes it: user operations in italics.
fn md_event(event: Event) -> String {
    let words = event_words(event);
    if event.is_user_operation() {
        format!("*{words}*")
    } else {
        words
    }
}

fn md_from(rule: &Rule) -> String {
    if rule.from.is_empty() {
        "(none)".to_string()
    } else {
        let names: Vec<&str> = rule.from.iter().map(|status| status.name()).collect();
        let mut from = names.join(", ");
        if !rule.modes.is_any() {
            let modes: Vec<&str> = rule.modes.iter().map(Mode::english).collect();
            let _ = write!(from, " ({} tasks only)", modes.join(", "));
        }
        from
    }
}

fn md_transitions(out: &mut String) {
    out.push_str("## Transitions\n\n");
    let pairs = edges().count();
    let _ = write!(
        out,
        "One row per rule; user operations in *italics*, everything else is the system or \
         billing. The {} rules cover {pairs} (status, event) pairs (creation aside); every \
         other pair is refused, and so is a pair whose row names other modes than the \
         task's. Where a target depends on what the task remembers, the row says so: a task \
         remembers its mode, the phase it heads for or will return to while it is starting, \
         start-failed, paused, recovering or recovery-failed, and the status it froze while \
         frozen.\n\n",
        RULES.len()
    );
    out.push_str("| from | event | to |\n");
    out.push_str("|---|---|---|\n");
    for rule in RULES {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            md_from(rule),
            md_event(rule.event),
            rule.to.describe(),
        );
    }
    out.push('\n');
}

fn name_list(statuses: impl IntoIterator<Item = Status>) -> String {
    let names: Vec<String> = statuses
        .into_iter()
        .map(|status| format!("`{}`", status.name()))
        .collect();
    names.join(", ")
}

fn md_fleet(out: &mut String) {
    let freezable = name_list(Status::ALL.into_iter().filter(|s| s.is_freezable()));
    let transient = name_list(Status::ALL.into_iter().filter(|s| s.is_transient()));
    out.push_str("## Accounts, billing and the fleet\n\n");
    out.push_str("The table speaks of one task. Tasks also share ids, accounts and billing:\n\n");
    out.push_str(
        "- **Ids.** Ids are handed out in order from 1 and never reused, not even after \
         deletion. A deleted task is never listed again; a query by its id answers `Deleted`, \
         and every later event for it is refused.\n",
    );
    out.push_str(
        "- **Tenancy.** Every task belongs to one account. A command for a task of another \
         account is answered \"not found\", exactly as for an id that never existed.\n",
    );
    out.push_str(
        "- **Creation in arrears.** Creating a task for an account in arrears is refused.\n",
    );
    let _ = writeln!(
        out,
        "- **Arrears freezes.** When an account falls into arrears, each of its tasks in a \
         freezable status ({freezable}) becomes `Frozen` and remembers that status. Other \
         accounts' tasks are untouched."
    );
    let _ = writeln!(
        out,
        "- **No freezing in flight.** Transient statuses ({transient}) are not frozen: a task \
         that lands on a freezable status while its account is still in arrears freezes at \
         once. Releasing (`EndRequested`, `Ending`) is never blocked by arrears."
    );
    out.push_str(
        "- **While frozen.** Every user operation is refused; the system's events for the \
         frozen status wait until the task is unfrozen. If the retention period runs out, the \
         system ends the task (`EndRequested`).\n",
    );
    out.push_str(
        "- **Recharge.** Topping the account up returns each frozen task to exactly the status \
         it froze, with the phase that status remembered.\n",
    );
    out.push_str(
        "- **Ending.** A full-only task whose migration finished, a task left failed for \
         `expired_days` (abnormal timeout), and a frozen task whose retention expired are \
         ended by the system itself; the user ends a task with *end*, or with *force end* \
         also while it is starting, between its phases or recovering. Every path to `Ended` \
         goes through `EndRequested` and `Ending`, and `EndRequested` accepts no late report \
         of what the task was doing before. Delete is allowed only from `CreateFailed` and \
         `Ended`.\n\n",
    );
}

/// A code's class in words: the lifecycle status it is the code of, or the operation
/// outside the lifecycle it is a step of.
fn class_words(code: ApiCode) -> String {
    match code.class() {
        CodeClass::Lifecycle(status) => format!("status `{}`", status.name()),
        CodeClass::Excursion(excursion) => format!("excursion: {}", excursion.english()),
    }
}

fn md_api_codes(out: &mut String) {
    out.push_str("## API status codes\n\n");
    let _ = write!(
        out,
        "The v3 list and batch-status answers of the DRS API document {} status codes, in \
         this order. Each is the code of a lifecycle status, or an *excursion*: a step of an \
         operation outside the lifecycle (a specification change, a child task of a re-edit \
         of the migrated objects, an engine upgrade), after which the task is back in a \
         lifecycle status. Excursions are known by name so that a client never mistakes one \
         for junk; a history that shows one is judged by a stated policy.\n\n",
        ApiCode::ALL.len()
    );
    out.push_str("| code | 中文 | English | class |\n");
    out.push_str("|---|---|---|---|\n");
    for code in ApiCode::ALL {
        let _ = writeln!(
            out,
            "| `{code}` | {} | {} | {} |",
            code.zh(),
            code.english(),
            class_words(code)
        );
    }
    out.push('\n');
}

/// What a poll by id shows of a task in `status`, in words: "the code of the status it
/// froze" for `Frozen`, else the observation of any task in that status.
fn poll_words(status: Status) -> String {
    match poll_shows(status) {
        Some(Observation::Shows(code)) => format!("`{code}`"),
        Some(Observation::Deleted) => "`DELETED`, or a does-not-exist error".to_string(),
        None => "the code of the status it froze".to_string(),
    }
}

/// The observation of a task in `status`; `None` for `Frozen`, whose observation is that of
/// the status it froze.
fn poll_shows(status: Status) -> Option<Observation> {
    (status != Status::Frozen).then(|| {
        observe(&TaskSpec {
            status,
            mode: Mode::FullIncremental,
            phase: None,
            frozen_from: None,
        })
    })
}

fn md_observations(out: &mut String) {
    out.push_str("## What a poll shows\n\n");
    out.push_str(
        "A client sees a task only through the API: a poll by id answers a status code, a \
         list the codes of the tasks it shows. The mode, the remembered phase and the status \
         a frozen task froze are not in the answer, and two statuses have no code, so \
         different states can look the same and some steps (freezing, `EndRequested` to \
         `Ending`) cannot be seen at all. A poll repeats what it saw until the next change it \
         can see; any number of unseen steps may happen between two polls.\n\n",
    );
    out.push_str("| status | a poll by id shows | a list shows |\n");
    out.push_str("|---|---|---|\n");
    for status in Status::ALL {
        let list = if status.is_listed() {
            "the same"
        } else {
            "nothing (not listed)"
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {list} |",
            status.name(),
            poll_words(status)
        );
    }
    out.push('\n');
}

fn md_version_2(out: &mut String) {
    out.push_str("## What version 2 changed, and why\n\n");
    out.push_str(
        "Version 1 was the console's view: its seventeen statuses and `Deleted`. Version 2 \
         is the view of a client of the API, which is where control planes and operators \
         live. What changed:\n\n",
    );
    out.push_str(
        "- **`FullMigrationComplete` (全量迁移完成, `FULL_TRANSFER_COMPLETE`)** is a status. \
         The v3 list and batch-status answers document 29 status codes, not the console's \
         sixteen, and this one is shown in ordinary runs between the full phase and what \
         follows; the official Terraform provider pauses tasks from it and waits for it after \
         a start. *Full done* now leads to it for every mode with a full phase; from it the \
         system begins the incremental phase (full+incremental) or finishes the migration \
         and ends the task (full only). Pause and an instance fault there are accepted for \
         full+incremental tasks and remember the incremental phase. It is transient and not \
         frozen in flight.\n",
    );
    out.push_str(
        "- **`FaultRecoveryFailed` (故障恢复失败, `REBUILD_NODE_FAILED`)** is a status: the v3 \
         list documents it, and it replaces version 1's decision that a failed recovery lands \
         on the failed status of the phase. It is a failed, stable status that holds its \
         instance and remembers the phase: retry heads back to that phase, reset starts over, \
         end, the abnormal timeout and billing's freeze apply as to the other failed \
         statuses.\n",
    );
    out.push_str(
        "- ***Force end*** is an operation: the API's `force_terminate` (v5: `is_force_stop`), \
         which the Terraform provider uses on any task that is not deletable. It is accepted \
         wherever the task holds an instance and is not already ending (what *end* accepts, \
         plus `Starting`, `FullMigrationComplete` and `FaultRecovery`), and refused in \
         `Creating`, `CreateFailed`, `Ended`, `EndRequested`, `Ending`, `Frozen` and \
         `Deleted`. A report of the operation it interrupted arrives too late and is refused.\n",
    );
    out.push_str(
        "- **Every API code is known by name** (the table above), and the specification says \
         what a poll shows of each state (the section before): a frozen task shows the code \
         of the status it froze, `EndRequested` shows `RELEASE_RESOURCE_STARTED` like \
         `Ending`, a deleted task shows `DELETED` or does-not-exist. The Terraform provider \
         polls about every 10 s and aborts on any status it does not expect, so short \
         statuses are routinely never seen: a history is judged against what could be seen, \
         not against every step.\n",
    );
    out.push_str(
        "- **Snapshots** are written as format version 2; a version-1 file still loads (every \
         state version 1 could reach is a state of version 2), and one naming a version-2 \
         status is refused, naming the status.\n\n",
    );
}

fn md_diagram(out: &mut String) {
    out.push_str("## State diagram\n\n");
    out.push_str(
        "Every edge of the table, expanded over the statuses a remembered target can lead to \
         (the same output as `drs-lifecycle spec --format mermaid`).\n\n",
    );
    out.push_str("```mermaid\n");
    out.push_str(&mermaid());
    out.push_str("```\n");
}

// ---------------------------------------------------------------------------------------
// Mermaid.
// ---------------------------------------------------------------------------------------

/// Mermaid's label grammar stops a transition label at `;` and treats `#` as the start of
/// an entity code; none of the table's words contain them, and this keeps it so.
fn mermaid_text(text: &str) -> String {
    text.replace([';', '#', '"'], " ")
}

/// A Mermaid style class: its name, its CSS, and which statuses it marks.
type StatusClass = (&'static str, &'static str, fn(Status) -> bool);

fn mermaid() -> String {
    let mut out = String::from("stateDiagram-v2\n");
    for status in Status::ALL {
        let _ = writeln!(
            out,
            "    state \"{}\" as {}",
            mermaid_text(&diagram_name(status)),
            status.name()
        );
    }
    out.push('\n');
    for arrow in arrows() {
        let from = arrow.from.map_or("[*]", Status::name);
        let _ = writeln!(
            out,
            "    {from} --> {}: {}",
            arrow.to.name(),
            mermaid_text(&arrow.label())
        );
    }
    for status in Status::ALL {
        if successors(status).is_empty() {
            let _ = writeln!(out, "    {} --> [*]", status.name());
        }
    }
    out.push('\n');
    let classes: [StatusClass; 3] = [
        ("transient", "stroke-dasharray: 5 5", Status::is_transient),
        ("failure", "fill:#fde2e2,stroke:#c0392b", Status::is_failure),
        ("terminal", "fill:#e0e0e0,stroke:#555", Status::is_terminal),
    ];
    for (class, style, _) in &classes {
        let _ = writeln!(out, "    classDef {class} {style}");
    }
    for (class, _, member) in &classes {
        let names: Vec<&str> = Status::ALL
            .into_iter()
            .filter(|status| member(*status))
            .map(Status::name)
            .collect();
        let _ = writeln!(out, "    class {} {class}", names.join(","));
    }
    out
}

/// The statuses a status can move to; empty only for the final status.
fn successors(status: Status) -> Vec<Status> {
    expanded_edges()
        .into_iter()
        .filter(|edge| edge.from == Some(status))
        .map(|edge| edge.to)
        .collect()
}

// ---------------------------------------------------------------------------------------
// Graphviz DOT.
// ---------------------------------------------------------------------------------------

/// A DOT double-quoted string. Newlines become DOT's `\n` line break; quotes and
/// backslashes are escaped so no name can end the string early.
fn dot_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

const DOT_START: &str = "__start";
const DOT_END: &str = "__end";

fn dot() -> String {
    let mut out = String::from("digraph drs_lifecycle {\n");
    out.push_str("    graph [charset=\"UTF-8\", rankdir=TB, label=\"The DRS migration-task lifecycle\", labelloc=t];\n");
    out.push_str("    node [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
    out.push_str("    edge [fontname=\"Helvetica\", fontsize=10];\n");
    let _ = writeln!(
        out,
        "    {} [shape=point, width=0.2, label=\"\"];",
        dot_quote(DOT_START)
    );
    let _ = writeln!(
        out,
        "    {} [shape=doublecircle, width=0.15, label=\"\", style=filled, fillcolor=black];",
        dot_quote(DOT_END)
    );
    for status in Status::ALL {
        let mut style = String::from("rounded");
        if status.is_transient() {
            style.push_str(",dashed");
        }
        if status.is_failure() || status.is_terminal() {
            style.push_str(",filled");
        }
        let fill = if status.is_failure() {
            ", fillcolor=\"#fde2e2\""
        } else if status.is_terminal() {
            ", fillcolor=\"#e0e0e0\""
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "    {} [label={}, style={}{fill}];",
            dot_quote(status.name()),
            dot_quote(&format!("{}\n{}", status.zh(), status.english())),
            dot_quote(&style),
        );
    }
    for arrow in arrows() {
        let from = arrow.from.map_or(DOT_START, Status::name);
        let all = |source| arrow.events.iter().all(|event| event.source() == source);
        // User operations are in italics, as in the tables. Billing arrows (to and from
        // Frozen) are drawn faint and left out of the ranking: there are eighteen of them,
        // and letting them place the nodes would bury the lifecycle under the freeze star.
        let style = if all(Source::User) {
            ", fontname=\"Helvetica-Oblique\""
        } else if all(Source::Billing) {
            ", style=dotted, color=gray45, fontcolor=gray35, constraint=false"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "    {} -> {} [label={}{style}];",
            dot_quote(from),
            dot_quote(arrow.to.name()),
            dot_quote(&arrow.label()),
        );
    }
    for status in Status::ALL {
        if successors(status).is_empty() {
            let _ = writeln!(
                out,
                "    {} -> {};",
                dot_quote(status.name()),
                dot_quote(DOT_END)
            );
        }
    }
    out.push_str("}\n");
    out
}

// ---------------------------------------------------------------------------------------
// JSON.
// ---------------------------------------------------------------------------------------

/// The version of the JSON shape below; it changes only when a field is renamed, removed or
/// changes meaning (adding a field does not change it).
pub const JSON_SCHEMA_VERSION: u32 = 2;

/// The whole specification, machine-readable: `drs-lifecycle spec --format json`.
///
/// The shape is stable (`schema` is bumped on any breaking change):
///
/// ```text
/// {
///   "schema": 2,
///   "title": "The DRS migration-task lifecycle",
///   "statuses": [ { "name": "Paused", "number": 13 | null, "zh": "暂停中", "english": "Paused",
///                   "api_code": "PAUSING" | null, "migration_phase": "Full" | "Incremental" | null,
///                   "poll_shows": "PAUSING" | "DELETED or does-not-exist" | null,   // null: Frozen
///                   "listed", "transient", "failure", "abnormal", "terminal",
///                   "holds_instance", "freezable", "remembers_phase": bool } ],   // 20, Status::ALL order
///   "api_codes": [ { "code": "PAUSING", "zh": "暂停中", "english": "Paused",
///                    "class": "Lifecycle" | "Excursion",
///                    "status": "Paused" | null, "excursion": "NodeUpgrade" | … | null } ],  // 29
///   "modes":    [ { "api_code": "FULL_TRANS", "english": "full", "meaning": "…",
///                   "phases": ["Full"], "first_phase": "Full" } ],
///   "events":   [ { "name": "Pause", "words": "pause", "source": "User" | "System" | "Billing",
///                   "takes_mode": bool } ],                                    // one per kind
///   "rules":    [ { "index": 0, "from": ["Paused", …],                         // [] for Create
///                   "event": "Resume",                                         // kind name
///                   "modes": ["FULL_TRANS", "FULL_INCR_TRANS", "INCR_TRANS"], // the modes it applies to
///                   "target": { "kind": "To" | "StartingTowardFirstPhase" | "Remembering"
///                                     | "RememberingPhase" | "RememberedPhase"
///                                     | "Freeze" | "Unfreeze",
///                               "status": "Starting",              // To, Remembering, RememberingPhase only
///                               "phase": "Incremental",                        // RememberingPhase only
///                               "description": "…", "possible_statuses": [ … ] } } ],
///   "edges":    [ { "from": "Paused" | null, "event": "Resume", "to": "Starting",
///                   "rule": 21 } ]                                             // from null: Create
/// }
/// ```
///
/// Statuses are named by their Rust names (their serde form), events by their kind name
/// (`"Create"` stands for every mode), modes by their API codes.
#[derive(Debug, Serialize)]
struct JsonSpec {
    schema: u32,
    title: &'static str,
    statuses: Vec<JsonStatus>,
    api_codes: Vec<JsonApiCode>,
    modes: Vec<JsonMode>,
    events: Vec<JsonEvent>,
    rules: Vec<JsonRule>,
    edges: Vec<JsonEdge>,
}

#[derive(Debug, Serialize)]
struct JsonStatus {
    name: Status,
    /// The number in the console's table; `null` for the statuses it does not list.
    number: Option<usize>,
    zh: &'static str,
    english: &'static str,
    api_code: Option<&'static str>,
    migration_phase: Option<Phase>,
    /// What a poll by id shows; `null` for `Frozen`, which shows what the status it froze
    /// shows.
    poll_shows: Option<String>,
    listed: bool,
    transient: bool,
    failure: bool,
    abnormal: bool,
    terminal: bool,
    holds_instance: bool,
    freezable: bool,
    remembers_phase: bool,
}

#[derive(Debug, Serialize)]
struct JsonApiCode {
    code: ApiCode,
    zh: &'static str,
    english: &'static str,
    class: &'static str,
    status: Option<Status>,
    excursion: Option<super::Excursion>,
}

#[derive(Debug, Serialize)]
struct JsonMode {
    api_code: Mode,
    english: &'static str,
    meaning: String,
    phases: Vec<Phase>,
    first_phase: Phase,
}

#[derive(Debug, Serialize)]
struct JsonEvent {
    name: &'static str,
    words: &'static str,
    source: Source,
    takes_mode: bool,
}

#[derive(Debug, Serialize)]
struct JsonRule {
    index: usize,
    from: Vec<Status>,
    event: &'static str,
    modes: super::Modes,
    target: JsonTarget,
}

#[derive(Debug, Serialize)]
struct JsonTarget {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phase: Option<Phase>,
    description: String,
    possible_statuses: Vec<Status>,
}

#[derive(Debug, Serialize)]
struct JsonEdge {
    from: Option<Status>,
    event: &'static str,
    to: Status,
    rule: usize,
}

fn json_target(target: Target) -> JsonTarget {
    let phase = match target {
        Target::RememberingPhase(_, phase) => Some(phase),
        _ => None,
    };
    let (kind, status) = match target {
        Target::To(status) => ("To", Some(status)),
        Target::StartingTowardFirstPhase => ("StartingTowardFirstPhase", None),
        Target::Remembering(status) => ("Remembering", Some(status)),
        Target::RememberingPhase(status, _) => ("RememberingPhase", Some(status)),
        Target::RememberedPhase => ("RememberedPhase", None),
        Target::Freeze => ("Freeze", None),
        Target::Unfreeze => ("Unfreeze", None),
    };
    JsonTarget {
        kind,
        status,
        phase,
        description: target.describe(),
        possible_statuses: target.possible_statuses(),
    }
}

fn json_spec() -> JsonSpec {
    JsonSpec {
        schema: JSON_SCHEMA_VERSION,
        title: "The DRS migration-task lifecycle",
        statuses: Status::ALL
            .into_iter()
            .map(|status| JsonStatus {
                name: status,
                number: status.console_number(),
                zh: status.zh(),
                english: status.english(),
                api_code: status.api_code(),
                migration_phase: status.migration_phase(),
                poll_shows: poll_shows(status).map(|shown| shown.to_string()),
                listed: status.is_listed(),
                transient: status.is_transient(),
                failure: status.is_failure(),
                abnormal: status.is_abnormal(),
                terminal: status.is_terminal(),
                holds_instance: status.holds_instance(),
                freezable: status.is_freezable(),
                remembers_phase: status.remembers_phase(),
            })
            .collect(),
        api_codes: ApiCode::ALL
            .into_iter()
            .map(|code| {
                let (class, status, excursion) = match code.class() {
                    CodeClass::Lifecycle(status) => ("Lifecycle", Some(status), None),
                    CodeClass::Excursion(excursion) => ("Excursion", None, Some(excursion)),
                };
                JsonApiCode {
                    code,
                    zh: code.zh(),
                    english: code.english(),
                    class,
                    status,
                    excursion,
                }
            })
            .collect(),
        modes: Mode::ALL
            .into_iter()
            .map(|mode| JsonMode {
                api_code: mode,
                english: mode.english(),
                meaning: mode_meaning(mode),
                phases: [Phase::Full, Phase::Incremental]
                    .into_iter()
                    .filter(|phase| mode.runs(*phase))
                    .collect(),
                first_phase: mode.first_phase(),
            })
            .collect(),
        events: Event::KINDS
            .into_iter()
            .map(|event| JsonEvent {
                name: event.name(),
                words: event.describe(),
                source: event.source(),
                takes_mode: matches!(event, Event::Create(_)),
            })
            .collect(),
        rules: RULES
            .iter()
            .enumerate()
            .map(|(index, rule)| JsonRule {
                index,
                from: rule.from.to_vec(),
                event: rule.event.name(),
                modes: rule.modes,
                target: json_target(rule.to),
            })
            .collect(),
        edges: expanded_edges()
            .into_iter()
            .map(|edge| JsonEdge {
                from: edge.from,
                event: edge.event.name(),
                to: edge.to,
                rule: edge.rule,
            })
            .collect(),
    }
}

fn json() -> String {
    // Serialising plain structs of strings, booleans and unit enums cannot fail; should it
    // ever, the output says so instead of panicking in a user's terminal.
    let mut out = serde_json::to_string_pretty(&json_spec())
        .unwrap_or_else(|error| format!("{{\"error\": {:?}}}", error.to_string()));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_output_ends_with_one_newline() {
        for format in [Format::Markdown, Format::Mermaid, Format::Dot, Format::Json] {
            let text = render(format);
            assert!(
                text.ends_with('\n'),
                "{format:?} does not end with a newline"
            );
            assert!(!text.ends_with("\n\n"), "{format:?} ends with a blank line");
        }
    }

    #[test]
    fn dot_quote_escapes_quotes_backslashes_and_newlines() {
        assert_eq!(dot_quote("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
    }

    #[test]
    fn only_deleted_has_no_successor() {
        let finals: Vec<Status> = Status::ALL
            .into_iter()
            .filter(|status| successors(*status).is_empty())
            .collect();
        assert_eq!(finals, vec![Status::Deleted]);
    }
}
