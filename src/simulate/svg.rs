//! The fleet's status counts over time as an SVG stacked-area chart (`simulate --svg`).
//!
//! An operator reads a week of a fleet faster from a picture than from a table: when the
//! full phases ran, how many tasks sat failed or frozen, how the ended pile grew. Statuses
//! are grouped into eight bands (deleted tasks are not shown: no list shows them), drawn
//! bottom to top in lifecycle order, with a legend; plain SVG, no script.

use std::fmt::Write;

use crate::spec::{STATUS_COUNT, Status};

const BANDS: [(&str, &str, &[Status]); 8] = [
    (
        "setup (creating … starting)",
        "#9ecae1",
        &[
            Status::Creating,
            Status::CreateFailed,
            Status::Configuration,
            Status::WaitingToStart,
            Status::Starting,
        ],
    ),
    (
        "full migration",
        "#3182bd",
        &[Status::FullMigration, Status::FullMigrationComplete],
    ),
    (
        "incremental migration",
        "#31a354",
        &[Status::IncrementalMigration],
    ),
    ("paused", "#fdae6b", &[Status::Paused]),
    (
        "fault recovery and failed",
        "#de2d26",
        &[
            Status::FaultRecovery,
            Status::StartFailed,
            Status::FullMigrationFailed,
            Status::IncrementalMigrationFailed,
            Status::FaultRecoveryFailed,
        ],
    ),
    ("frozen (arrears)", "#756bb1", &[Status::Frozen]),
    (
        "ending",
        "#bdbdbd",
        &[Status::EndRequested, Status::Ending, Status::EndFailed],
    ),
    ("ended", "#636363", &[Status::Ended]),
];

/// The chart of `samples` (time in ms, count per status).
pub fn chart(samples: &[(i64, [u32; STATUS_COUNT])], title: &str) -> String {
    let (w, h, left, top, bottom, legend) = (960.0, 420.0, 60.0, 40.0, 40.0, 220.0);
    let plot_w = w - left - legend - 20.0;
    let plot_h = h - top - bottom;
    let t0 = samples.first().map_or(0, |s| s.0);
    let t1 = samples.last().map_or(1, |s| s.0).max(t0 + 1);
    let totals: Vec<u32> = samples
        .iter()
        .map(|(_, c)| BANDS.iter().flat_map(|b| b.2).map(|s| c[s.index()]).sum())
        .collect();
    let max = totals.iter().copied().max().unwrap_or(1).max(1) as f64;
    let x = |t: i64| left + (t - t0) as f64 / (t1 - t0) as f64 * plot_w;
    let y = |n: f64| top + plot_h - n / max * plot_h;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{left}" y="22" font-size="15">{}</text>"#,
        escape(title)
    );
    let mut below = vec![0u32; samples.len()];
    for (name, color, statuses) in BANDS {
        let above: Vec<u32> = samples
            .iter()
            .zip(&below)
            .map(|((_, c), b)| b + statuses.iter().map(|s| c[s.index()]).sum::<u32>())
            .collect();
        let mut points = String::new();
        for ((t, _), n) in samples.iter().zip(&above) {
            let _ = write!(points, "{:.1},{:.1} ", x(*t), y(f64::from(*n)));
        }
        for ((t, _), n) in samples.iter().zip(&below).rev() {
            let _ = write!(points, "{:.1},{:.1} ", x(*t), y(f64::from(*n)));
        }
        let _ = writeln!(
            svg,
            r#"<polygon points="{}" fill="{color}"><title>{}</title></polygon>"#,
            points.trim_end(),
            escape(name)
        );
        below = above;
    }
    // Axes: counts on the left, days along the bottom.
    let _ = writeln!(
        svg,
        r#"<line x1="{left}" y1="{}" x2="{}" y2="{}" stroke="black"/>"#,
        top + plot_h,
        left + plot_w,
        top + plot_h
    );
    let _ = writeln!(
        svg,
        r#"<line x1="{left}" y1="{top}" x2="{left}" y2="{}" stroke="black"/>"#,
        top + plot_h
    );
    for k in 0..=4 {
        let n = max * f64::from(k) / 4.0;
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{:.0}</text>"#,
            left - 6.0,
            y(n) + 4.0,
            n
        );
    }
    let days = ((t1 - t0) as f64 / 86_400_000.0).ceil() as i64;
    let step = (days / 14).max(1);
    for d in (0..=days).step_by(step as usize) {
        let t = t0 + d * 86_400_000;
        if t > t1 {
            break;
        }
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">day {d}</text>"#,
            x(t),
            top + plot_h + 18.0
        );
    }
    for (k, (name, color, _)) in BANDS.iter().rev().enumerate() {
        let ly = top + 10.0 + k as f64 * 22.0;
        let lx = left + plot_w + 20.0;
        let _ = writeln!(
            svg,
            r#"<rect x="{lx}" y="{ly}" width="14" height="14" fill="{color}"/>"#
        );
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}">{}</text>"#,
            lx + 20.0,
            ly + 12.0,
            escape(name)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
