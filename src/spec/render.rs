//! Renderers of the specification (markdown, mermaid, dot, json).

use crate::cli::SpecFormat;

/// Renders the specification in the given format.
pub fn render(format: SpecFormat) -> String {
    format!("{format:?}\n")
}
