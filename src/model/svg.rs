//! The Explorer's picture of a path: one row per task, one column per step, each cell the
//! task's status after that step, coloured by class (running, failed, frozen, transient,
//! terminal). A user sees at a glance how each task moved along the path.

use std::fmt::Write;

use crate::spec::{Command, Status};

use super::state::ModelState;

const LEFT: usize = 70;
const CELL_W: usize = 118;
const CELL_H: usize = 40;
const TOP: usize = 24;

fn colour(status: Status) -> &'static str {
    match status {
        Status::Frozen => "#9ecae1",
        Status::Deleted | Status::Ended => "#bdbdbd",
        s if s.is_failure() => "#fb8072",
        s if s.is_transient() => "#fdd49e",
        Status::FullMigration | Status::IncrementalMigration => "#a1d99b",
        _ => "#f0f0f0",
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The timeline of every task along a path.
pub fn timeline<P>(path: &[(ModelState<P>, Option<Command>)]) -> String {
    let tasks = path
        .iter()
        .map(|(state, _)| state.world.fleet.len())
        .max()
        .unwrap_or(0);
    let width = LEFT + CELL_W * path.len().max(1) + 10;
    let height = TOP + CELL_H * tasks.max(1) + 10;
    let mut svg = format!(
        "<svg version='1.1' baseProfile='full' width='{width}' height='{height}' viewBox='0 0 {width} {height}' xmlns='http://www.w3.org/2000/svg' font-family='sans-serif' font-size='11'>"
    );
    for (step, _) in path.iter().enumerate() {
        let x = LEFT + step * CELL_W;
        let _ = write!(
            svg,
            "<text x='{}' y='14' fill='#555'>step {step}</text>",
            x + 4
        );
    }
    if tasks == 0 {
        let _ = write!(svg, "<text x='4' y='{}'>no task yet</text>", TOP + 20);
    }
    for task in 0..tasks {
        let y = TOP + task * CELL_H;
        let _ = write!(
            svg,
            "<text x='4' y='{}' font-weight='bold'>task {}</text>",
            y + 24,
            task + 1
        );
        for (step, (state, _)) in path.iter().enumerate() {
            let Some(slot) = state.world.fleet.slots().get(task) else {
                continue;
            };
            let status = slot.task.status;
            let x = LEFT + step * CELL_W;
            let _ = write!(
                svg,
                "<rect x='{x}' y='{y}' width='{}' height='{}' rx='4' fill='{}' stroke='#777'/>\
                 <text x='{}' y='{}'>{}</text><text x='{}' y='{}' fill='#333'>{}</text>",
                CELL_W - 4,
                CELL_H - 6,
                colour(status),
                x + 4,
                y + 14,
                escape(status.zh()),
                x + 4,
                y + 28,
                escape(status.english()),
            );
        }
    }
    svg.push_str("</svg>");
    svg
}
