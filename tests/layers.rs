//! The code is layered: `text` and `spec` ← `plane` ← `engine` ← `model` ← `history`,
//! `actors` ← `check`, `fuzz`, `simulate` ← `drive`, `report`, `serve` ← `cli`. A module uses only
//! the layers below it (or its own), and inside a layer the files that name each other in
//! `use` lines form no cycle. Read off the `use` lines of `src/`, so that a wrong-way import
//! fails here rather than in a reviewer's head.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module's layer: a module may use its own layer's siblings only where
/// listed as lower here.
const LAYERS: &[(&str, u8)] = &[
    ("text", 0),
    ("spec", 1),
    ("plane", 2),
    ("engine", 3),
    ("model", 4),
    // Recorded histories are judged by the claims of the one table (`model::claims`).
    ("history", 5),
    ("actors", 5),
    ("simulate", 6),
    ("check", 6),
    ("fuzz", 6),
    ("drive", 7),
    ("report", 7),
    // The emulator: the API over a control plane, its clock, the recorder (history's
    // format and times) and the simulator's service faults.
    ("serve", 7),
    ("cli", 8),
];

fn rank(module: &str) -> Option<u8> {
    LAYERS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, r)| *r)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `src/model/claims.rs` → `["model", "claims"]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("under src/");
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    parts
}

/// The `use` statements of a file outside its tests, each joined onto one line.
fn use_statements(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("#[cfg(test)]") {
            break;
        }
        if current.is_none() {
            if let Some(rest) = line
                .strip_prefix("use ")
                .or_else(|| line.strip_prefix("pub use "))
            {
                current = Some(String::new() + rest);
            } else {
                continue;
            }
        } else if let Some(statement) = &mut current {
            statement.push_str(line);
        }
        if line.ends_with(';')
            && let Some(statement) = current.take()
        {
            out.push(statement.trim_end_matches(';').replace(' ', ""));
        }
    }
    out
}

/// The paths of a `use` statement, with one level of braces expanded:
/// `super::{a,b::C}` → `super::a`, `super::b::C`.
fn paths(statement: &str) -> Vec<String> {
    match statement.find('{') {
        None => vec![statement.to_string()],
        Some(open) => {
            let prefix = &statement[..open];
            let inner = statement[open + 1..].trim_end_matches('}');
            let mut parts = Vec::new();
            let (mut depth, mut start) = (0, 0);
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        parts.push(&inner[start..i]);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            parts.push(&inner[start..]);
            parts
                .into_iter()
                .filter(|part| !part.is_empty())
                .map(|part| format!("{prefix}{part}"))
                .collect()
        }
    }
}

/// Every `use crate::…` / `use super::…` path of a file, resolved to a module path (the
/// first two segments: enough to name a file).
fn imports(module: &[String], text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for statement in use_statements(text) {
        for path in paths(&statement) {
            let segments: Vec<&str> = path.split("::").collect();
            let resolved: Vec<String> = match segments.first() {
                Some(&"crate") => segments[1..].iter().map(|s| s.to_string()).collect(),
                Some(&"super") => {
                    // `super` of a file is its directory's module.
                    let mut base: Vec<String> = module.to_vec();
                    base.pop();
                    base.extend(segments[1..].iter().map(|s| s.to_string()));
                    base
                }
                _ => continue,
            };
            out.push(resolved.into_iter().take(2).collect());
        }
    }
    out
}

#[test]
fn no_module_uses_a_higher_layer_and_files_form_no_cycle() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let known: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    let mut wrong_way = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        let Some(top) = module.first() else { continue };
        if top == "lib" || top == "main" {
            continue;
        }
        let text = std::fs::read_to_string(file).expect("readable");
        for import in imports(&module, &text) {
            let Some(target_top) = import.first() else {
                continue;
            };
            if let (Some(from), Some(to)) = (rank(top), rank(target_top))
                && target_top != top
                && to >= from
            {
                wrong_way.push(format!("{} uses {}", module.join("::"), import.join("::")));
            }
            // File-level edges inside one top-level module, where the import names a file
            // (not a re-export of the module's mod.rs).
            if target_top == top && import.len() == 2 && known.contains(&import) && import != module
            {
                edges.entry(module.clone()).or_default().insert(import);
            }
        }
    }
    assert!(
        wrong_way.is_empty(),
        "imports against the layering:\n{}",
        wrong_way.join("\n")
    );

    // A cycle among files: depth-first search with colours.
    fn visit(
        node: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<Vec<String>>> {
        match state.get(node) {
            Some(1) => {
                let at = stack.iter().position(|n| n == node).unwrap_or(0);
                return Some(stack[at..].to_vec());
            }
            Some(2) => return None,
            _ => {}
        }
        state.insert(node.clone(), 1);
        stack.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, state, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        state.insert(node.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in edges.keys() {
        let mut stack = Vec::new();
        if let Some(cycle) = visit(node, &edges, &mut state, &mut stack) {
            let names: Vec<String> = cycle.iter().map(|m| m.join("::")).collect();
            panic!("a cycle of imports: {} → back", names.join(" → "));
        }
    }
}
