//! `reports/lifecycle.svg`: the lifecycle as a person would draw it on a whiteboard.
//!
//! The full state diagram (`drs-lifecycle spec --format dot|mermaid|json`) draws every edge
//! of the table, and most of them are the same few facts repeated: an account in arrears
//! freezes any of ten statuses and a recharge returns each, *end* and *force end* are
//! accepted almost everywhere. Laid out by a graph-drawing program, those fifty edges bury
//! the lifecycle. This picture keeps the table's facts and changes how they are drawn:
//!
//! - statuses sit on a fixed grid, one band of rows per **stage** (creation, start, full,
//!   incremental, interruptions, ending, billing), the main path straight down the middle
//!   column, failures to its right, interruptions to its left;
//! - the billing freeze and the user's end / force end are drawn **once each**, as an
//!   overlay panel, and every status they apply to carries a tag (❄, `end`, `force end`);
//! - every other edge is drawn on its own, with its events as the label, along a route
//!   planned for this grid so that no line crosses a box or a label.
//!
//! Nothing here is hand-listed that the table decides: which statuses carry which tag comes
//! from the rules for [`Event::AccountInArrears`], [`Event::End`] and [`Event::ForceEnd`],
//! the arrows and their labels from [`RULES`]. A test proves that every edge of the JSON
//! output is either drawn or covered by an overlay, so the picture cannot drift from the
//! table; where a status belongs is an exhaustive `match` ([`stage`], `cell`), so a new
//! status does not compile until it is placed. The SVG is written directly (no layout
//! program), with integer coordinates, so the same table gives the same bytes.

use std::fmt::Write as _;

use crate::spec::table::{RULES, Target, rule_for};
use crate::spec::{Event, Status};

// ---------------------------------------------------------------------------------------
// Stages and the grid.
// ---------------------------------------------------------------------------------------

/// The stages of the lifecycle, in the order one explains them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// 创建中 Creating to 等待启动 WaitingToStart: the instance is made and the task configured.
    Creation,
    /// 启动中 Starting and 启动失败 StartFailed.
    Start,
    /// The full phase: 全量迁移 FullMigration, its failure, and 全量迁移完成 FullMigrationComplete.
    Full,
    /// The incremental phase: 增量迁移 IncrementalMigration and its failure.
    Incremental,
    /// 暂停中 Paused, 故障恢复 FaultRecovery and 故障恢复失败 FaultRecoveryFailed.
    Interruptions,
    /// From 结束任务 EndRequested through the release to 已结束 Ended and Deleted.
    Ending,
    /// 冻结 Frozen.
    Billing,
}

impl Stage {
    /// Every stage, in the order one explains them.
    pub const ALL: [Stage; 7] = [
        Stage::Creation,
        Stage::Start,
        Stage::Full,
        Stage::Incremental,
        Stage::Interruptions,
        Stage::Ending,
        Stage::Billing,
    ];

    /// The stage's name on its frame.
    pub const fn title(self) -> &'static str {
        match self {
            Stage::Creation => "creation",
            Stage::Start => "start",
            Stage::Full => "full phase",
            Stage::Incremental => "incremental phase",
            Stage::Interruptions => "interruptions",
            Stage::Ending => "ending",
            Stage::Billing => "billing",
        }
    }
}

/// The stage a status belongs to.
pub const fn stage(status: Status) -> Stage {
    match status {
        Status::Creating
        | Status::CreateFailed
        | Status::Configuration
        | Status::WaitingToStart => Stage::Creation,
        Status::Starting | Status::StartFailed => Stage::Start,
        Status::FullMigration | Status::FullMigrationFailed | Status::FullMigrationComplete => {
            Stage::Full
        }
        Status::IncrementalMigration | Status::IncrementalMigrationFailed => Stage::Incremental,
        Status::Paused | Status::FaultRecovery | Status::FaultRecoveryFailed => {
            Stage::Interruptions
        }
        Status::EndRequested
        | Status::Ending
        | Status::EndFailed
        | Status::Ended
        | Status::Deleted => Stage::Ending,
        Status::Frozen => Stage::Billing,
    }
}

/// The grid's columns: interruptions (and the scheduled start) left of the main path,
/// failures right of it, billing and the end overlay at the right edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Side,
    Main,
    Failures,
    Overlays,
}

/// Where a status sits: its column and its row (rows run top to bottom, stage by stage).
const fn cell(status: Status) -> (Column, i32) {
    use Column::*;
    match status {
        Status::Creating => (Main, 0),
        Status::CreateFailed => (Failures, 0),
        Status::Configuration => (Main, 1),
        Status::WaitingToStart => (Side, 1),
        Status::Starting => (Main, 2),
        Status::StartFailed => (Failures, 2),
        Status::Paused => (Side, 2),
        Status::FullMigration => (Main, 3),
        Status::FullMigrationFailed => (Failures, 3),
        Status::FaultRecoveryFailed => (Side, 3),
        Status::FullMigrationComplete => (Main, 4),
        Status::FaultRecovery => (Side, 4),
        Status::IncrementalMigration => (Main, 5),
        Status::IncrementalMigrationFailed => (Failures, 5),
        Status::EndRequested => (Main, 6),
        Status::Ending => (Main, 7),
        Status::EndFailed => (Failures, 7),
        Status::Ended => (Main, 8),
        Status::Deleted => (Failures, 8),
        Status::Frozen => (Overlays, 2),
    }
}

const WIDTH: i32 = 1200;
const BOX_W: i32 = 176;
const BOX_H: i32 = 64;
const TOP: i32 = 112;
const PITCH: i32 = 118;
const ROWS: i32 = 9;
/// The picture's height: the rows, then the legend.
const HEIGHT: i32 = TOP + (ROWS - 1) * PITCH + BOX_H + 84;

const fn column_x(column: Column) -> i32 {
    match column {
        Column::Side => 24,
        Column::Main => 344,
        Column::Failures => 664,
        Column::Overlays => 968,
    }
}

const fn row_y(row: i32) -> i32 {
    TOP + row * PITCH
}

/// The middle of the gap below a row.
const fn gap_below(row: i32) -> i32 {
    row_y(row) + BOX_H + (PITCH - BOX_H) / 2
}

/// An axis-aligned rectangle in picture coordinates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    /// Left edge, in pixels from the picture's left.
    pub x: i32,
    /// Top edge, in pixels from the picture's top.
    pub y: i32,
    /// Width, in pixels.
    pub w: i32,
    /// Height, in pixels.
    pub h: i32,
}

impl Rect {
    const fn l(self) -> i32 {
        self.x
    }
    const fn r(self) -> i32 {
        self.x + self.w
    }
    const fn t(self) -> i32 {
        self.y
    }
    const fn b(self) -> i32 {
        self.y + self.h
    }
    const fn cx(self) -> i32 {
        self.x + self.w / 2
    }
    const fn cy(self) -> i32 {
        self.y + self.h / 2
    }

    fn pad(self, left: i32, top: i32, right: i32, bottom: i32) -> Rect {
        Rect {
            x: self.x - left,
            y: self.y - top,
            w: self.w + left + right,
            h: self.h + top + bottom,
        }
    }

    fn union(self, other: Rect) -> Rect {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        Rect {
            x,
            y,
            w: self.r().max(other.r()) - x,
            h: self.b().max(other.b()) - y,
        }
    }

    /// Whether the two rectangles share interior points.
    pub fn overlaps(self, other: Rect) -> bool {
        self.l() < other.r() && other.l() < self.r() && self.t() < other.b() && other.t() < self.b()
    }
}

/// The box a status is drawn in.
pub fn status_box(status: Status) -> Rect {
    let (column, row) = cell(status);
    Rect {
        x: column_x(column),
        y: row_y(row),
        w: BOX_W,
        h: BOX_H,
    }
}

/// The frame around a stage's statuses.
fn stage_frame(stage_of: Stage) -> Option<Rect> {
    Status::ALL
        .into_iter()
        .filter(|status| stage(*status) == stage_of)
        .map(status_box)
        .reduce(Rect::union)
        .map(|rect| rect.pad(12, 24, 12, 12))
}

// ---------------------------------------------------------------------------------------
// The overlays, from the table.
// ---------------------------------------------------------------------------------------

/// The statuses each overlay applies to, read off the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overlays {
    /// The statuses an account in arrears freezes (and a recharge returns to).
    pub freeze: Vec<Status>,
    /// The statuses that accept *end*, which takes them to `EndRequested`.
    pub end: Vec<Status>,
    /// The statuses that accept *force end*, which takes them to `EndRequested`.
    pub force_end: Vec<Status>,
}

impl Overlays {
    /// The overlays as the specification's table decides them.
    pub fn from_table() -> Overlays {
        let with = |event: Event, target: Target| -> Vec<Status> {
            Status::ALL
                .into_iter()
                .filter(|status| rule_for(*status, event).is_some_and(|rule| rule.to == target))
                .collect()
        };
        Overlays {
            freeze: with(Event::AccountInArrears, Target::Freeze),
            end: with(Event::End, Target::To(Status::EndRequested)),
            force_end: with(Event::ForceEnd, Target::To(Status::EndRequested)),
        }
    }

    /// Whether an edge of the table (`from` is `None` for creation) is drawn by an overlay
    /// rather than as an arrow of its own.
    pub fn covers(&self, from: Option<Status>, event: Event, to: Status) -> bool {
        let Some(from) = from else {
            return false;
        };
        match event {
            Event::AccountInArrears => to == Status::Frozen && self.freeze.contains(&from),
            // A recharge returns the task to the status it froze: an overlay edge only when
            // the status is one the freeze applies to.
            Event::AccountRecharged => {
                from == Status::Frozen
                    && self.freeze.contains(&to)
                    && rule_for(Status::Frozen, event).is_some_and(|r| r.to == Target::Unfreeze)
            }
            Event::End => to == Status::EndRequested && self.end.contains(&from),
            Event::ForceEnd => to == Status::EndRequested && self.force_end.contains(&from),
            _ => false,
        }
    }

    /// The tags a status carries, in drawing order (right to left).
    fn tags(&self, status: Status) -> Vec<Tag> {
        let mut tags = Vec::new();
        if self.end.contains(&status) {
            tags.push(Tag::End);
        } else if self.force_end.contains(&status) {
            tags.push(Tag::ForceEnd);
        }
        if self.freeze.contains(&status) {
            tags.push(Tag::Freeze);
        }
        tags
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    Freeze,
    End,
    ForceEnd,
}

impl Tag {
    const fn text(self) -> &'static str {
        match self {
            Tag::Freeze => "❄",
            Tag::End => "end",
            Tag::ForceEnd => "force end",
        }
    }
    const fn width(self) -> i32 {
        match self {
            Tag::Freeze => 20,
            Tag::End => 30,
            Tag::ForceEnd => 56,
        }
    }
    const fn colours(self) -> (&'static str, &'static str) {
        match self {
            Tag::Freeze => ("#dbeafe", "#1d4ed8"),
            Tag::End | Tag::ForceEnd => ("#fef3c7", "#92400e"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The arrows drawn one by one.
// ---------------------------------------------------------------------------------------

/// Every event that takes `from` to `to` and no overlay draws; `from` is `None` for
/// creation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrow {
    /// The source status, or `None` for creation.
    pub from: Option<Status>,
    /// The target status.
    pub to: Status,
    /// The events that take `from` to `to`, each a line of the label.
    pub events: Vec<Event>,
}

impl Arrow {
    /// The label, one alternative event per line.
    fn lines(&self) -> Vec<String> {
        let words: Vec<String> = self
            .events
            .iter()
            .map(|event| match event {
                Event::Create(_) => "create(mode)".to_string(),
                other => other.describe().to_string(),
            })
            .collect();
        // One line if it fits; else one alternative per line (the slash ending the line),
        // each wrapped at a word boundary if it is still too wide.
        let joined = words.join(" / ");
        if text_width(&joined, LABEL_SIZE) <= LABEL_MAX {
            return vec![joined];
        }
        let last = words.len() - 1;
        let mut lines: Vec<String> = Vec::new();
        for (i, alternative) in words.iter().enumerate() {
            let alternative = if i < last {
                format!("{alternative} /")
            } else {
                alternative.clone()
            };
            let mut line = String::new();
            for word in alternative.split(' ') {
                if !line.is_empty() && text_width(&format!("{line} {word}"), LABEL_SIZE) > LABEL_MAX
                {
                    lines.push(std::mem::take(&mut line));
                }
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
            }
            lines.push(line);
        }
        lines
    }
}

/// The widest a label's line may be: the narrowest gap between two columns, less a margin.
const LABEL_MAX: i32 = 128;

/// The table's edges, expanded like the full diagram's (over each rule's `from` list and
/// its possible targets), without the ones an overlay draws, merged by (from, to).
pub fn arrows(overlays: &Overlays) -> Vec<Arrow> {
    let mut out: Vec<Arrow> = Vec::new();
    for rule in RULES {
        let froms: Vec<Option<Status>> = if rule.from.is_empty() {
            vec![None]
        } else {
            rule.from.iter().copied().map(Some).collect()
        };
        for from in froms {
            for to in rule.to.possible_statuses() {
                if overlays.covers(from, rule.event, to) {
                    continue;
                }
                match out.iter_mut().find(|a| a.from == from && a.to == to) {
                    Some(arrow) => {
                        if !arrow.events.contains(&rule.event) {
                            arrow.events.push(rule.event);
                        }
                    }
                    None => out.push(Arrow {
                        from,
                        to,
                        events: vec![rule.event],
                    }),
                }
            }
        }
    }
    out
}

/// Where an arrow's label goes: the point its text is anchored at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Anchor {
    Start,
    Middle,
    End,
}

/// How an arrow is drawn: its polyline and where its label goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The polyline, from the source to the arrowhead.
    pub points: Vec<(i32, i32)>,
    /// The label's anchor point (the baseline of its first line).
    label_at: (i32, i32),
    anchor: Anchor,
    /// Whether the route was planned for this grid (not the straight-line fallback).
    pub planned: bool,
}

/// The route of an arrow: planned for each pair of statuses the table connects, or a
/// straight line for a pair this grid has not planned (a test then fails: plan it).
pub fn route(arrow: &Arrow) -> Route {
    planned(arrow.from, arrow.to).unwrap_or_else(|| {
        let to = status_box(arrow.to);
        let (x0, y0) = match arrow.from {
            Some(from) => {
                let b = status_box(from);
                (b.cx(), b.cy())
            }
            None => (to.cx(), to.t() - 40),
        };
        Route {
            points: vec![(x0, y0), (to.cx(), to.cy())],
            label_at: ((x0 + to.cx()) / 2 + 6, (y0 + to.cy()) / 2),
            anchor: Anchor::Start,
            planned: false,
        }
    })
}

fn planned(from: Option<Status>, to: Status) -> Option<Route> {
    use Status::*;
    let b = status_box;
    let route = |points: Vec<(i32, i32)>, label_at: (i32, i32), anchor: Anchor| Route {
        points,
        label_at,
        anchor,
        planned: true,
    };
    // Lanes beside the main column: the start succeeded lane to incremental, the retry
    // lane back to Starting, the lane of everything that ends in EndRequested, the lane
    // shared by pause and instance fault, and the outer margins.
    let main = b(Starting);
    let to_incremental = main.r() + 28;
    let retry_lane = column_x(Column::Failures) - 16;
    let end_lane = b(StartFailed).r() + 22;
    let interrupt_lane = main.l() - 26;
    let left_margin = 10;
    let right_margin = WIDTH - 12;
    let s = b(Starting);
    Some(match (from, to) {
        (None, Creating) => {
            let c = b(Creating);
            route(
                vec![(c.l() - 150, c.cy()), (c.l(), c.cy())],
                (c.l() - 75, c.cy() - 8),
                Anchor::Middle,
            )
        }
        (Some(Creating), Configuration) => {
            let (f, t) = (b(Creating), b(Configuration));
            route(
                vec![(f.cx(), f.b()), (t.cx(), t.t())],
                (f.cx() + 8, f.b() + 31),
                Anchor::Start,
            )
        }
        (Some(Creating), CreateFailed) => {
            let (f, t) = (b(Creating), b(CreateFailed));
            route(
                vec![(f.r(), f.cy()), (t.l(), t.cy())],
                ((f.r() + t.l()) / 2, f.cy() - 20),
                Anchor::Middle,
            )
        }
        (Some(CreateFailed), Deleted) => {
            let (f, t) = (b(CreateFailed), b(Deleted));
            route(
                vec![
                    (f.r(), f.cy()),
                    (right_margin, f.cy()),
                    (right_margin, t.cy()),
                    (t.r(), t.cy()),
                ],
                (right_margin - 8, f.cy() - 8),
                Anchor::End,
            )
        }
        (Some(Configuration), Starting) => {
            let (f, t) = (b(Configuration), s);
            route(
                vec![(f.cx(), f.b()), (t.cx(), t.t())],
                (f.cx() + 8, f.b() + 31),
                Anchor::Start,
            )
        }
        (Some(Configuration), WaitingToStart) => {
            let (f, t) = (b(Configuration), b(WaitingToStart));
            route(
                vec![(f.l(), f.cy()), (t.r(), t.cy())],
                ((f.l() + t.r()) / 2, f.cy() - 8),
                Anchor::Middle,
            )
        }
        (Some(WaitingToStart), Starting) => {
            let f = b(WaitingToStart);
            let y = gap_below(1);
            route(
                vec![
                    (f.cx(), f.b()),
                    (f.cx(), y),
                    (s.l() + 24, y),
                    (s.l() + 24, s.t()),
                ],
                (f.r() + 4, y - 17),
                Anchor::Start,
            )
        }
        (Some(FaultRecoveryFailed), Starting) => {
            let f = b(FaultRecoveryFailed);
            let w = b(WaitingToStart);
            let y = gap_below(1);
            route(
                vec![
                    (f.l(), f.cy() - 12),
                    (left_margin, f.cy() - 12),
                    (left_margin, y),
                    (w.cx(), y),
                    (s.l() + 24, y),
                    (s.l() + 24, s.t()),
                ],
                (f.l() + 6, f.b() + 16),
                Anchor::Start,
            )
        }
        (Some(Paused), Starting) => {
            let f = b(Paused);
            route(
                vec![(f.r(), f.cy()), (s.l(), s.cy())],
                ((f.r() + s.l()) / 2, f.cy() - 8),
                Anchor::Middle,
            )
        }
        (Some(Starting), StartFailed) => {
            let t = b(StartFailed);
            route(
                vec![(s.r(), s.cy() - 18), (t.l(), s.cy() - 18)],
                ((s.r() + t.l()) / 2, s.cy() - 24),
                Anchor::Middle,
            )
        }
        (Some(StartFailed), Starting) => {
            let f = b(StartFailed);
            route(
                vec![(f.l(), s.cy() + 2), (s.r(), s.cy() + 2)],
                ((f.l() + to_incremental) / 2 + 8, s.cy() + 16),
                Anchor::Middle,
            )
        }
        (Some(FullMigrationFailed), Starting) | (Some(IncrementalMigrationFailed), Starting) => {
            let f = b(from?);
            route(
                vec![
                    (f.l(), f.cy() - 18),
                    (retry_lane, f.cy() - 18),
                    (retry_lane, s.cy() + 2),
                    (s.r(), s.cy() + 2),
                ],
                (retry_lane - 6, f.cy() - 24),
                Anchor::End,
            )
        }
        (Some(Starting), FullMigration) => {
            let t = b(FullMigration);
            route(
                vec![(s.cx(), s.b()), (t.cx(), t.t())],
                (s.cx() + 8, s.b() + 31),
                Anchor::Start,
            )
        }
        (Some(Starting), IncrementalMigration) => {
            let t = b(IncrementalMigration);
            route(
                vec![
                    (s.r(), s.cy() + 22),
                    (to_incremental, s.cy() + 22),
                    (to_incremental, t.cy() - 18),
                    (t.r(), t.cy() - 18),
                ],
                (to_incremental + 4, b(FullMigrationComplete).cy() - 22),
                Anchor::Start,
            )
        }
        (Some(FullMigration), FullMigrationComplete)
        | (Some(FullMigrationComplete), IncrementalMigration)
        | (Some(EndRequested), Ending)
        | (Some(Ending), Ended) => {
            let (f, t) = (b(from?), b(to));
            route(
                vec![(f.cx(), f.b()), (t.cx(), t.t())],
                (f.cx() + 8, f.b() + 31),
                Anchor::Start,
            )
        }
        (Some(FullMigration), FullMigrationFailed) => {
            let (f, t) = (b(FullMigration), b(FullMigrationFailed));
            route(
                vec![(f.r(), f.cy() + 14), (t.l(), f.cy() + 14)],
                ((f.r() + t.l()) / 2, f.cy() + 30),
                Anchor::Middle,
            )
        }
        (Some(IncrementalMigration), IncrementalMigrationFailed) => {
            let (f, t) = (b(IncrementalMigration), b(IncrementalMigrationFailed));
            route(
                vec![(f.r(), f.cy() + 14), (t.l(), f.cy() + 14)],
                ((f.r() + t.l()) / 2, f.cy() + 30),
                Anchor::Middle,
            )
        }
        (Some(Ending), EndFailed) | (Some(Ended), Deleted) => {
            let (f, t) = (b(from?), b(to));
            route(
                vec![(f.r(), f.cy()), (t.l(), t.cy())],
                ((f.r() + t.l()) / 2, f.cy() - 8),
                Anchor::Middle,
            )
        }
        (Some(FullMigrationComplete), EndRequested) => {
            let (f, t) = (b(FullMigrationComplete), b(EndRequested));
            route(
                vec![
                    (f.r(), f.cy()),
                    (end_lane, f.cy()),
                    (end_lane, t.cy() - 12),
                    (t.r(), t.cy() - 12),
                ],
                (retry_lane + 8, f.cy() - 8),
                Anchor::Start,
            )
        }
        (Some(StartFailed), EndRequested)
        | (Some(FullMigrationFailed), EndRequested)
        | (Some(IncrementalMigrationFailed), EndRequested) => {
            let (f, t) = (b(from?), b(EndRequested));
            route(
                vec![
                    (f.r(), f.cy() + 12),
                    (end_lane, f.cy() + 12),
                    (end_lane, t.cy() - 12),
                    (t.r(), t.cy() - 12),
                ],
                (end_lane + 6, f.cy() + 26),
                Anchor::Start,
            )
        }
        (Some(FaultRecoveryFailed), EndRequested) => {
            let (f, t) = (b(FaultRecoveryFailed), b(EndRequested));
            let y = gap_below(5);
            route(
                vec![
                    (f.l(), f.cy() + 12),
                    (left_margin + 8, f.cy() + 12),
                    (left_margin + 8, y),
                    (t.l() + 24, y),
                    (t.l() + 24, t.t()),
                ],
                (left_margin + 14, y - 8),
                Anchor::Start,
            )
        }
        (Some(Frozen), EndRequested) => {
            let (f, t) = (b(Frozen), b(EndRequested));
            route(
                vec![(f.cx(), f.b()), (f.cx(), t.cy() - 12), (t.r(), t.cy() - 12)],
                (f.cx() + 8, f.b() + 18),
                Anchor::Start,
            )
        }
        (Some(FullMigration), Paused)
        | (Some(FullMigrationComplete), Paused)
        | (Some(IncrementalMigration), Paused) => {
            let (f, t) = (b(from?), b(Paused));
            let y = gap_below(2) - 6;
            route(
                vec![
                    (f.l(), f.cy() - 14),
                    (interrupt_lane, f.cy() - 14),
                    (interrupt_lane, y),
                    (t.l() + 40, y),
                    (t.l() + 40, t.b()),
                ],
                (t.r() + 6, y - 8),
                Anchor::Start,
            )
        }
        (Some(FullMigration), FaultRecovery)
        | (Some(FullMigrationComplete), FaultRecovery)
        | (Some(IncrementalMigration), FaultRecovery) => {
            let (f, t) = (b(from?), b(FaultRecovery));
            let y = t.cy() - 14;
            route(
                vec![
                    (f.l(), f.cy() - 14),
                    (interrupt_lane, f.cy() - 14),
                    (interrupt_lane, y),
                    (t.r(), y),
                ],
                (t.r() + 6, y - 8),
                Anchor::Start,
            )
        }
        (Some(FaultRecovery), FullMigration) => {
            // Up between the interruptions, across the gap under Full migration, into its
            // bottom: one crossing (the pause and fault lane) and no other line.
            let (f, t) = (b(FaultRecovery), b(FullMigration));
            let y = gap_below(3);
            route(
                vec![
                    (f.r() - 24, f.t()),
                    (f.r() - 24, y),
                    (t.l() + 24, y),
                    (t.l() + 24, t.b()),
                ],
                (f.r() + 20, y - 6),
                Anchor::Start,
            )
        }
        (Some(FaultRecovery), IncrementalMigration) => {
            let (f, t) = (b(FaultRecovery), b(IncrementalMigration));
            route(
                vec![(f.cx(), f.b()), (f.cx(), t.cy() + 16), (t.l(), t.cy() + 16)],
                (f.cx() + 8, t.cy() + 10),
                Anchor::Start,
            )
        }
        (Some(FaultRecovery), FaultRecoveryFailed) => {
            let (f, t) = (b(FaultRecovery), b(FaultRecoveryFailed));
            route(
                vec![(f.cx(), f.t()), (t.cx(), t.b())],
                (f.cx() + 8, t.b() + 18),
                Anchor::Start,
            )
        }
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------
// Text measure (for the layout tests) and SVG.
// ---------------------------------------------------------------------------------------

const LABEL_SIZE: i32 = 11;
const FONT: &str = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',\
                    'Helvetica Neue',Arial,sans-serif";
const MONO: &str = "'DejaVu Sans Mono',Menlo,Consolas,monospace";

/// An estimate of a text's width in pixels: CJK characters are square, Latin ones about
/// 0.56 of the size (a little more than Noto Sans and Helvetica draw them).
fn text_width(text: &str, size: i32) -> i32 {
    let units: i32 = text
        .chars()
        .map(|c| if (c as u32) >= 0x2E80 { 100 } else { 56 })
        .sum();
    units * size / 100
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The rectangle a multi-line label covers.
#[cfg(test)]
fn label_rect(lines: &[String], at: (i32, i32), anchor: Anchor) -> Rect {
    let w = lines
        .iter()
        .map(|line| text_width(line, LABEL_SIZE))
        .max()
        .unwrap_or(0);
    let x = match anchor {
        Anchor::Start => at.0,
        Anchor::Middle => at.0 - w / 2,
        Anchor::End => at.0 - w,
    };
    let n = lines.len() as i32;
    Rect {
        x,
        y: at.1 - LABEL_SIZE + 1,
        w,
        h: n * (LABEL_SIZE + 2),
    }
}

fn text(out: &mut String, (x, y): (i32, i32), anchor: Anchor, class: &str, content: &str) {
    let anchor = match anchor {
        Anchor::Start => "start",
        Anchor::Middle => "middle",
        Anchor::End => "end",
    };
    let _ = writeln!(
        out,
        r#"<text x="{x}" y="{y}" text-anchor="{anchor}" class="{class}">{}</text>"#,
        escape(content)
    );
}

fn polyline(points: &[(i32, i32)]) -> String {
    points
        .iter()
        .map(|(x, y)| format!("{x},{y}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The overlay panels: where they sit and what they say.
fn freeze_panel() -> Rect {
    let frozen = status_box(Status::Frozen);
    Rect {
        x: frozen.l() - 12,
        y: row_y(1) - 24,
        w: BOX_W + 24,
        h: frozen.b() + 12 - (row_y(1) - 24),
    }
}

fn end_panel() -> Rect {
    let er = status_box(Status::EndRequested);
    Rect {
        x: column_x(Column::Overlays) - 12,
        y: er.cy() + 2,
        w: BOX_W + 24,
        h: 92,
    }
}

const FREEZE_TEXT: [&str; 4] = [
    "any status tagged ❄ ⇄ 冻结 Frozen",
    "account in arrears freezes it;",
    "account recharged returns it",
    "to the status it froze",
];

const END_TEXT: [&str; 4] = [
    "end / force end →",
    "结束任务 EndRequested",
    "tag end: end, force end",
    "tag force end: force end",
];

const TEXT_LINE: i32 = 15;

/// The lifecycle as a readable SVG, 1,200 px wide.
pub fn svg() -> String {
    let overlays = Overlays::from_table();
    let arrows = arrows(&overlays);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FONT}">"#
    );
    let _ = writeln!(
        out,
        r##"<style>
text {{ fill: #1f2937; }}
.title {{ font-size: 20px; font-weight: bold; }}
.sub {{ font-size: 12px; fill: #4b5563; }}
.stage {{ font-size: 12px; font-weight: bold; fill: #6b7280; letter-spacing: 0.5px; }}
.zh {{ font-size: 15px; font-weight: bold; }}
.en {{ font-size: 11.5px; }}
.code {{ font-size: 10px; font-family: {MONO}; fill: #4b5563; }}
.label {{ font-size: {LABEL_SIZE}px; fill: #374151; }}
.note {{ font-size: 11.5px; fill: #1f2937; }}
.tag {{ font-size: 10px; font-weight: bold; }}
.halo {{ fill: none; stroke: #ffffff; stroke-width: 6; stroke-linejoin: round; }}
.edge {{ fill: none; stroke: #374151; stroke-width: 1.4; stroke-linejoin: round; }}
</style>
<defs>
<marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#374151"/></marker>
<marker id="big" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="5" markerHeight="5" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#b45309"/></marker>
</defs>
<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>"##
    );
    text(
        &mut out,
        (24, 32),
        Anchor::Start,
        "title",
        "The DRS migration-task lifecycle",
    );
    text(
        &mut out,
        (24, 52),
        Anchor::Start,
        "sub",
        "Stages top to bottom; the main path runs down the middle. Generated from the transition \
         table by `drs-lifecycle report diagram`; every edge is drawn, or covered by a tag and \
         its overlay at the right.",
    );

    // Stage frames, then the overlay panels behind everything else.
    for stage_of in Stage::ALL {
        if stage_of == Stage::Billing {
            continue;
        }
        let Some(frame) = stage_frame(stage_of) else {
            continue;
        };
        let _ = writeln!(
            out,
            r##"<rect x="{}" y="{}" width="{}" height="{}" rx="10" fill="#f9fafb" stroke="#d1d5db"/>"##,
            frame.x, frame.y, frame.w, frame.h
        );
        text(
            &mut out,
            (frame.r() - 10, frame.t() + 16),
            Anchor::End,
            "stage",
            stage_of.title(),
        );
    }
    let panel = freeze_panel();
    let _ = writeln!(
        out,
        r##"<rect x="{}" y="{}" width="{}" height="{}" rx="10" fill="#eff6ff" stroke="#93c5fd"/>"##,
        panel.x, panel.y, panel.w, panel.h
    );
    text(
        &mut out,
        (panel.r() - 10, panel.t() + 16),
        Anchor::End,
        "stage",
        Stage::Billing.title(),
    );
    for (i, line) in FREEZE_TEXT.iter().enumerate() {
        text(
            &mut out,
            (panel.l() + 12, panel.t() + 40 + i as i32 * TEXT_LINE),
            Anchor::Start,
            "note",
            line,
        );
    }
    let panel = end_panel();
    let _ = writeln!(
        out,
        r##"<rect x="{}" y="{}" width="{}" height="{}" rx="10" fill="#fffbeb" stroke="#fcd34d"/>"##,
        panel.x, panel.y, panel.w, panel.h
    );
    for (i, line) in END_TEXT.iter().enumerate() {
        text(
            &mut out,
            (panel.l() + 12, panel.t() + 20 + i as i32 * TEXT_LINE),
            Anchor::Start,
            "note",
            line,
        );
    }
    let er = status_box(Status::EndRequested);
    let _ = writeln!(
        out,
        r##"<polyline points="{}" fill="none" stroke="#b45309" stroke-width="4" marker-end="url(#big)"/>"##,
        polyline(&[(panel.l(), er.cy() + 16), (er.r() + 2, er.cy() + 16)])
    );

    // Arrows: each one's white halo, then its line, so that a later line crossing an
    // earlier one is drawn over it with a gap, and never through a label.
    for arrow in &arrows {
        let route = route(arrow);
        let points = polyline(&route.points);
        let _ = writeln!(
            out,
            r#"<polyline points="{points}" class="halo"/>
<polyline points="{points}" class="edge" marker-end="url(#head)"/>"#
        );
        if arrow.from.is_none()
            && let Some(&(x, y)) = route.points.first()
        {
            let _ = writeln!(out, r##"<circle cx="{x}" cy="{y}" r="6" fill="#111827"/>"##);
        }
    }
    // Arrows that share a lane (pause and instance fault from each running status) share
    // their label: write it once.
    let mut written: Vec<((i32, i32), Vec<String>)> = Vec::new();
    for arrow in &arrows {
        let route = route(arrow);
        let lines = arrow.lines();
        if written.contains(&(route.label_at, lines.clone())) {
            continue;
        }
        written.push((route.label_at, lines.clone()));
        for (i, line) in lines.iter().enumerate() {
            let (x, y) = route.label_at;
            text(
                &mut out,
                (x, y + i as i32 * (LABEL_SIZE + 2)),
                route.anchor,
                "label",
                line,
            );
        }
    }

    // The statuses.
    for status in Status::ALL {
        status_svg(&mut out, status, &overlays);
    }

    legend(&mut out);
    out.push_str("</svg>\n");
    out
}

fn status_svg(out: &mut String, status: Status, overlays: &Overlays) {
    let b = status_box(status);
    let (fill, stroke) = if status.is_failure() {
        ("#fde2e2", "#c0392b")
    } else if status.is_terminal() {
        ("#e0e0e0", "#555555")
    } else {
        ("#ffffff", "#374151")
    };
    let dash = if status.is_transient() {
        r#" stroke-dasharray="6 4""#
    } else {
        ""
    };
    let _ = writeln!(
        out,
        r#"<rect x="{}" y="{}" width="{}" height="{}" rx="8" fill="{fill}" stroke="{stroke}" stroke-width="1.6"{dash}/>"#,
        b.x, b.y, b.w, b.h
    );
    text(
        out,
        (b.l() + 10, b.t() + 21),
        Anchor::Start,
        "zh",
        status.zh(),
    );
    text(
        out,
        (b.l() + 10, b.t() + 38),
        Anchor::Start,
        "en",
        status.english(),
    );
    text(
        out,
        (b.l() + 10, b.t() + 54),
        Anchor::Start,
        "code",
        status.api_code().unwrap_or("(console only)"),
    );
    let mut right = b.r() - 6;
    for tag in overlays.tags(status) {
        let x = right - tag.width();
        tag_svg(out, tag, (x, b.t() + 19));
        right = x - 4;
    }
}

/// A tag, its text's baseline at `y`.
fn tag_svg(out: &mut String, tag: Tag, (x, y): (i32, i32)) {
    let (fill, ink) = tag.colours();
    let _ = writeln!(
        out,
        r#"<rect x="{x}" y="{}" width="{}" height="16" rx="8" fill="{fill}" stroke="{ink}"/>"#,
        y - 12,
        tag.width()
    );
    let _ = writeln!(
        out,
        r#"<text x="{}" y="{y}" text-anchor="middle" class="tag" style="fill: {ink}">{}</text>"#,
        x + tag.width() / 2,
        tag.text()
    );
}

fn legend(out: &mut String) {
    let y = row_y(ROWS - 1) + BOX_H + 40;
    let _ = writeln!(
        out,
        r##"<rect x="24" y="{}" width="40" height="22" rx="6" fill="#ffffff" stroke="#374151" stroke-dasharray="6 4"/>"##,
        y - 15
    );
    text(
        out,
        (72, y),
        Anchor::Start,
        "note",
        "transient: the system leaves it by itself",
    );
    let _ = writeln!(
        out,
        r##"<rect x="344" y="{}" width="40" height="22" rx="6" fill="#fde2e2" stroke="#c0392b"/>"##,
        y - 15
    );
    text(out, (392, y), Anchor::Start, "note", "failure");
    let _ = writeln!(
        out,
        r##"<rect x="464" y="{}" width="40" height="22" rx="6" fill="#e0e0e0" stroke="#555555"/>"##,
        y - 15
    );
    text(out, (512, y), Anchor::Start, "note", "final");
    let mut x = 664;
    for tag in [Tag::Freeze, Tag::End, Tag::ForceEnd] {
        tag_svg(out, tag, (x, y));
        x += tag.width() + 4;
    }
    text(
        out,
        (x + 6, y),
        Anchor::Start,
        "note",
        "tags: the overlays at the right apply",
    );
    text(
        out,
        (24, y + 30),
        Anchor::Start,
        "sub",
        "Each arrow is a rule of the table, labelled with its events; (console only): the \
         API has no code for the status. The full edge-by-edge graph: `drs-lifecycle spec \
         --format dot|mermaid|json`.",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::render::{Format, render};

    /// Every edge of the JSON output, as (from, event kind, to).
    fn json_edges() -> Vec<(Option<String>, String, String)> {
        let json: serde_json::Value =
            serde_json::from_str(&render(Format::Json)).expect("the JSON parses");
        json["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|edge| {
                (
                    edge["from"].as_str().map(str::to_string),
                    edge["event"].as_str().expect("event").to_string(),
                    edge["to"].as_str().expect("to").to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn every_edge_of_the_table_is_drawn_or_covered_by_an_overlay() {
        let overlays = Overlays::from_table();
        let drawn = arrows(&overlays);
        let edges = json_edges();
        assert!(edges.len() > 60, "the JSON lists the expanded edges");
        let mut covered = 0;
        for (from, event, to) in edges {
            let from: Option<Status> = from.map(|name| name.parse().expect("a status"));
            let to: Status = to.parse().expect("a status");
            let event = Event::KINDS
                .into_iter()
                .find(|kind| kind.name() == event)
                .expect("an event kind");
            let is_drawn = drawn.iter().any(|arrow| {
                arrow.from == from
                    && arrow.to == to
                    && arrow.events.iter().any(|e| e.name() == event.name())
            });
            let is_covered = overlays.covers(from, event, to);
            assert!(
                is_drawn != is_covered,
                "{from:?} --{event:?}--> {to:?}: drawn {is_drawn}, covered {is_covered}"
            );
            covered += usize::from(is_covered);
        }
        // Freeze and recharge (ten each), end (ten) and force end (thirteen).
        assert_eq!(covered, 43);
    }

    #[test]
    fn every_status_is_drawn_with_its_three_names_and_tagged_from_the_table() {
        let picture = svg();
        for status in Status::ALL {
            assert!(picture.contains(status.zh()), "{status:?}");
            assert!(picture.contains(&escape(status.english())), "{status:?}");
            if let Some(code) = status.api_code() {
                assert!(picture.contains(code), "{status:?}");
            }
        }
        let overlays = Overlays::from_table();
        assert_eq!(overlays.freeze.len(), 10);
        assert_eq!(
            overlays.end, overlays.freeze,
            "end and the freeze share one set"
        );
        assert!(
            overlays.end.iter().all(|s| overlays.force_end.contains(s)),
            "the end tag says end and force end: force end must accept every endable status"
        );
        assert_eq!(
            overlays.tags(Status::Starting),
            vec![Tag::ForceEnd],
            "a transient status is force-ended only"
        );
        assert!(overlays.tags(Status::Creating).is_empty());
    }

    #[test]
    fn the_svg_is_1200_px_wide_and_the_same_on_every_run() {
        let first = svg();
        assert!(first.starts_with("<?xml"));
        assert!(first.contains(r#"width="1200""#));
        assert_eq!(first, svg());
    }

    #[test]
    fn every_arrow_has_a_planned_route() {
        for arrow in arrows(&Overlays::from_table()) {
            assert!(
                route(&arrow).planned,
                "{:?} -> {:?} has no planned route: add one to `planned`",
                arrow.from,
                arrow.to
            );
        }
    }

    #[test]
    fn stage_frames_do_not_overlap_and_hold_only_their_own_statuses() {
        let frames: Vec<(Stage, Rect)> = Stage::ALL
            .into_iter()
            .filter_map(|s| stage_frame(s).map(|frame| (s, frame)))
            .collect();
        for (i, (a, fa)) in frames.iter().enumerate() {
            for (b, fb) in &frames[i + 1..] {
                assert!(!fa.overlaps(*fb), "{a:?} and {b:?} overlap");
            }
            for status in Status::ALL {
                if stage(status) != *a {
                    assert!(!fa.overlaps(status_box(status)), "{status:?} inside {a:?}");
                }
            }
        }
    }

    /// The rectangles nothing may cross: the status boxes, and the overlay panels' text.
    fn obstacles() -> Vec<(String, Rect)> {
        let mut out: Vec<(String, Rect)> = Status::ALL
            .into_iter()
            .map(|s| (format!("{s:?}"), status_box(s)))
            .collect();
        out.push(("freeze note".into(), {
            let p = freeze_panel();
            Rect {
                x: p.x,
                y: p.y + 24,
                w: p.w,
                h: FREEZE_TEXT.len() as i32 * TEXT_LINE,
            }
        }));
        out.push(("end note".into(), {
            let p = end_panel();
            Rect {
                x: p.x,
                y: p.y + 6,
                w: p.w,
                h: END_TEXT.len() as i32 * TEXT_LINE,
            }
        }));
        out
    }

    /// A segment as a thin rectangle, shortened at both ends so that touching a box where
    /// an arrow leaves or enters it does not count.
    fn segment(a: (i32, i32), b: (i32, i32)) -> Rect {
        let (x0, x1) = (a.0.min(b.0), a.0.max(b.0));
        let (y0, y1) = (a.1.min(b.1), a.1.max(b.1));
        if x0 == x1 {
            Rect {
                x: x0,
                y: y0 + 1,
                w: 1,
                h: (y1 - y0 - 2).max(0),
            }
        } else {
            Rect {
                x: x0 + 1,
                y: y0,
                w: (x1 - x0 - 2).max(0),
                h: 1,
            }
        }
    }

    #[test]
    fn no_arrow_crosses_a_box_and_every_segment_is_straight() {
        for arrow in arrows(&Overlays::from_table()) {
            let route = route(&arrow);
            for pair in route.points.windows(2) {
                assert!(
                    pair[0].0 == pair[1].0 || pair[0].1 == pair[1].1,
                    "{arrow:?}: a slanted segment"
                );
                let line = segment(pair[0], pair[1]);
                for (name, rect) in obstacles() {
                    assert!(!line.overlaps(rect), "{arrow:?} crosses {name}");
                }
            }
        }
    }

    #[test]
    fn no_label_overlaps_a_box_a_line_or_another_label() {
        let overlays = Overlays::from_table();
        let arrows = arrows(&overlays);
        let labels: Vec<(String, Rect)> = arrows
            .iter()
            .map(|arrow| {
                let route = route(arrow);
                (
                    format!("{:?}->{:?}", arrow.from, arrow.to),
                    label_rect(&arrow.lines(), route.label_at, route.anchor),
                )
            })
            .collect();
        for (i, (name, rect)) in labels.iter().enumerate() {
            assert!(
                rect.r() <= WIDTH && rect.l() >= 0,
                "{name} leaves the picture"
            );
            for (other, obstacle) in obstacles() {
                assert!(!rect.overlaps(obstacle), "label of {name} over {other}");
            }
            for (other, rect2) in &labels[i + 1..] {
                // Arrows that share a label position (a bus) carry the same words.
                if rect == rect2 {
                    continue;
                }
                assert!(
                    !rect.overlaps(*rect2),
                    "labels of {name} and {other} overlap"
                );
            }
            for arrow in &arrows {
                for pair in route(arrow).points.windows(2) {
                    assert!(
                        !rect.overlaps(segment(pair[0], pair[1])),
                        "label of {name} crosses the line of {:?}->{:?}",
                        arrow.from,
                        arrow.to
                    );
                }
            }
        }
    }
}
