//! Generated reports: what `drs-lifecycle report` writes to `reports/`.
//!
//! Each report has one source and one command, like `docs/lifecycle.md`:
//!
//! - [`models`]: `model-check.md`, the results of checking every shipped configuration
//!   (a test fails when the committed results drift from what the command produces);
//! - [`diagram`]: `lifecycle.md` (the full edge-by-edge graph in Mermaid) and
//!   `lifecycle.svg` (the readable [`overview`]: stages on a grid, the freeze and end as
//!   overlays), both from the specification's table;
//! - [`bench`](mod@bench): `benchmarks.md`, criterion's medians against the project's targets and a
//!   saved baseline, and the regression gate.
//!
//! [`memory`] measures what criterion and stateright do not: peak memory and load.

pub mod bench;
pub mod diagram;
pub mod memory;
pub mod models;
pub mod overview;

/// Where the reports live, relative to the repository root.
pub const REPORTS_DIR: &str = "reports";

/// The files, by name, that `drs-lifecycle report` writes into [`REPORTS_DIR`]: the
/// model-check results of every configuration.
pub const MODEL_CHECK_FILE: &str = "model-check.md";
/// The full edge-by-edge state diagram, in Mermaid.
pub const LIFECYCLE_MD_FILE: &str = "lifecycle.md";
/// The readable overview of the lifecycle, by stage, in SVG.
pub const LIFECYCLE_SVG_FILE: &str = "lifecycle.svg";
/// The benchmark table, judged against the project's targets.
pub const BENCHMARKS_FILE: &str = "benchmarks.md";
