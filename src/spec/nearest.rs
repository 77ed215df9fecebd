//! The nearest known name to a string nobody knows, for error messages.
//!
//! A user who types `FULL_TRANSFER_COMPLETED` or `Pasued` should be told what they probably
//! meant, not handed the whole vocabulary. Edit distance (Levenshtein, over characters so
//! that Chinese names count one per character) is enough for names this short; a suggestion
//! is only made when it is closer than the string is long, so junk gets none.

/// The number of single-character insertions, deletions and substitutions that turn `a`
/// into `b`, ignoring ASCII case.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_uppercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_uppercase()).collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The candidate nearest to `wanted` (the first of equals, so the candidates' order breaks
/// ties), or `None` when even the nearest is further than [`near_enough`].
pub(crate) fn nearest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let wanted = wanted.trim();
    let (distance, best) = candidates
        .into_iter()
        .map(|candidate| (edit_distance(wanted, candidate), candidate))
        .min_by_key(|(distance, _)| *distance)?;
    (distance <= near_enough(wanted)).then_some(best)
}

/// How many edits a typo of `wanted` may have: a third of its length, at least one.
pub(crate) fn near_enough(wanted: &str) -> usize {
    (wanted.trim().chars().count() / 3).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("PAUSING", "pausing"), 0);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("暂停", "暂停中"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn nearest_suggests_only_what_is_close() {
        let names = ["PAUSING", "CREATING", "DELETED"];
        assert_eq!(nearest("PASUING", names), Some("PAUSING"));
        assert_eq!(nearest("deleted ", names), Some("DELETED"));
        assert_eq!(nearest("x", names), None);
        assert_eq!(nearest("Running", ["Ending"]), None);
        assert_eq!(nearest("", names), None);
    }
}
