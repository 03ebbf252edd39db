//! A three-way merge of lines, the way `diff3` does it: the lines the base shares with both
//! sides hold still, and each stretch between them is taken from the side that changed it.
//! When both sides changed one stretch differently, it is a conflict, marked as git marks
//! one.

/// The result of merging three texts line by line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Merged {
    pub bytes: Vec<u8>,
    pub conflicted: bool,
}

/// Splits into lines that keep their line endings.
fn lines(text: &[u8]) -> Vec<&[u8]> {
    text.split_inclusive(|&b| b == b'\n').collect()
}

/// Merges `ours` and `theirs`, both changed from `base`.
pub(crate) fn merge3(base: &[u8], ours: &[u8], theirs: &[u8], labels: (&str, &str)) -> Merged {
    if ours == theirs || theirs == base {
        return Merged {
            bytes: ours.to_vec(),
            conflicted: false,
        };
    }
    if ours == base {
        return Merged {
            bytes: theirs.to_vec(),
            conflicted: false,
        };
    }
    let (o, a, b) = (lines(base), lines(ours), lines(theirs));
    let in_a = matching(&o, &a);
    let in_b = matching(&o, &b);
    let mut out = Vec::with_capacity(ours.len().max(theirs.len()));
    let mut conflicted = false;
    let (mut i, mut ja, mut jb) = (0, 0, 0);
    loop {
        // The next base line both sides kept: everything before it is one stretch.
        let stable = (i..o.len()).find_map(|k| Some((k, in_a[k]?, in_b[k]?)));
        let (k, ma, mb) = stable.unwrap_or((o.len(), a.len(), b.len()));
        let (so, sa, sb) = (&o[i..k], &a[ja..ma], &b[jb..mb]);
        if sa == so {
            sb.iter().for_each(|l| out.extend_from_slice(l));
        } else if sb == so || sa == sb {
            sa.iter().for_each(|l| out.extend_from_slice(l));
        } else if so.is_empty() && distinct_keys(sa, sb) {
            // Both sides only added, and added different things (a section each, a bullet
            // each): both are kept, in an order that does not depend on which side is ours.
            let (first, second) = if sa <= sb { (sa, sb) } else { (sb, sa) };
            first
                .iter()
                .chain(second)
                .for_each(|l| out.extend_from_slice(l));
        } else {
            conflicted = true;
            mark(&mut out, sa, sb, labels);
        }
        if stable.is_none() {
            break;
        }
        out.extend_from_slice(o[k]);
        (i, ja, jb) = (k + 1, ma + 1, mb + 1);
    }
    Merged {
        bytes: out,
        conflicted,
    }
}

/// What a line of an entry sets: a section (`### Name`), a bold field (`**Name**`) or a
/// metadata bullet (`- Name:`), lowercased; `None` for free text.
fn key(line: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(line);
    let t = text.trim();
    let t = t.strip_prefix("- ").unwrap_or(t);
    let name = if let Some(rest) = t.strip_prefix('#') {
        rest.trim_start_matches('#').trim()
    } else if let Some(rest) = t.strip_prefix("**") {
        rest.split("**").next()?.trim_end_matches([':', '：'])
    } else if text.trim_start().starts_with("- ") {
        t.split_once(':')?.0
    } else {
        return None;
    };
    Some(name.trim().to_lowercase())
}

/// Whether two insertions set nothing in common. Each must set something (a section, a field
/// or a bullet): two runs of free text added at one place are a conflict.
fn distinct_keys(a: &[&[u8]], b: &[&[u8]]) -> bool {
    let keys = |side: &[&[u8]]| -> Vec<String> { side.iter().filter_map(|l| key(l)).collect() };
    let (ka, kb) = (keys(a), keys(b));
    !ka.is_empty() && !kb.is_empty() && !ka.iter().any(|k| kb.contains(k))
}

/// The lines two texts share, in order (a longest common subsequence): the base to merge two
/// versions of one entry against when no common version is at hand.
pub(crate) fn matched_lines(a: &[u8], b: &[u8]) -> Vec<u8> {
    let (la, lb) = (lines(a), lines(b));
    let mut out = Vec::new();
    for (i, m) in matching(&la, &lb).into_iter().enumerate() {
        if m.is_some() {
            out.extend_from_slice(la[i]);
        }
    }
    out
}

/// Writes one conflict the way git does: ours, then theirs, between marker lines.
pub(crate) fn mark(out: &mut Vec<u8>, ours: &[&[u8]], theirs: &[&[u8]], labels: (&str, &str)) {
    let side = |out: &mut Vec<u8>, lines: &[&[u8]]| {
        lines.iter().for_each(|l| out.extend_from_slice(l));
        if lines.last().is_some_and(|l| !l.ends_with(b"\n")) {
            out.push(b'\n');
        }
    };
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    out.extend_from_slice(format!("<<<<<<< {}\n", labels.0).as_bytes());
    side(out, ours);
    out.extend_from_slice(b"=======\n");
    side(out, theirs);
    out.extend_from_slice(format!(">>>>>>> {}\n", labels.1).as_bytes());
}

/// For each line of `base`, the line of `side` it is matched with in a longest common
/// subsequence, if any. Of the many such matchings, the one that matches base lines as early
/// as it can: a section added before an entry's closing `---` then reads as added after the
/// blank line above it, as a person would say, on both sides alike. Lines both texts begin
/// with are matched first; lines they end with too, when the texts are too long to compare
/// whole.
fn matching(base: &[&[u8]], side: &[&[u8]]) -> Vec<Option<usize>> {
    const MAX_CELLS: usize = 1 << 22;
    let mut out = vec![None; base.len()];
    let head = base.iter().zip(side).take_while(|(x, y)| x == y).count();
    let tail = if (base.len() - head) * (side.len() - head) > MAX_CELLS {
        base[head..]
            .iter()
            .rev()
            .zip(side[head..].iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
    } else {
        0
    };
    for (k, slot) in out.iter_mut().enumerate().take(head) {
        *slot = Some(k);
    }
    for t in 0..tail {
        out[base.len() - 1 - t] = Some(side.len() - 1 - t);
    }
    let (o, s) = (
        &base[head..base.len() - tail],
        &side[head..side.len() - tail],
    );
    if o.is_empty() || s.is_empty() {
        return out;
    }
    // Lengths of the longest common subsequences of the suffixes, then one walk forward.
    let w = s.len() + 1;
    let mut len = vec![0u32; (o.len() + 1) * w];
    for x in (0..o.len()).rev() {
        for y in (0..s.len()).rev() {
            len[x * w + y] = if o[x] == s[y] {
                len[(x + 1) * w + y + 1] + 1
            } else {
                len[(x + 1) * w + y].max(len[x * w + y + 1])
            };
        }
    }
    let (mut x, mut y) = (0, 0);
    while x < o.len() && y < s.len() {
        if o[x] == s[y] {
            out[head + x] = Some(head + y);
            x += 1;
            y += 1;
        } else if len[(x + 1) * w + y] >= len[x * w + y + 1] {
            x += 1;
        } else {
            y += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(o: &str, a: &str, b: &str) -> (String, bool) {
        let r = merge3(o.as_bytes(), a.as_bytes(), b.as_bytes(), ("ours", "theirs"));
        (String::from_utf8(r.bytes).unwrap(), r.conflicted)
    }

    #[test]
    fn changes_in_different_places_both_land() {
        let o = "1\n2\n3\n4\n5\n";
        let (text, c) = m(o, "1\nTWO\n3\n4\n5\n", "1\n2\n3\n4\n5\n6\n");
        assert_eq!((text.as_str(), c), ("1\nTWO\n3\n4\n5\n6\n", false));
        let (text, c) = m(o, "2\n3\n4\n5\n", "1\n2\n3\nFOUR\n5\n");
        assert_eq!((text.as_str(), c), ("2\n3\nFOUR\n5\n", false));
    }

    #[test]
    fn the_same_change_on_both_sides_is_taken_once() {
        let (text, c) = m("a\nb\nc\n", "a\nB\nc\n", "a\nB\nc\n");
        assert_eq!((text.as_str(), c), ("a\nB\nc\n", false));
    }

    #[test]
    fn one_stretch_changed_two_ways_is_a_conflict_there_only() {
        let (text, c) = m("a\nb\nc\nd\n", "a\nX\nc\nd\n", "a\nY\nc\nD\n");
        assert!(c);
        assert_eq!(
            text,
            "a\n<<<<<<< ours\nX\n=======\nY\n>>>>>>> theirs\nc\nD\n"
        );
        // A side without a final line break still gets whole marker lines.
        let (text, c) = m("a\nb", "a\nx", "a\ny");
        assert!(c);
        assert_eq!(text, "a\n<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs\n");
    }

    #[test]
    fn two_insertions_at_one_place_are_both_kept_unless_they_set_the_same_thing() {
        let o = "## [X] t\n**Status**: pending\n\n---\n";
        let a = "## [X] t\n**Status**: pending\n\n### Resolution\n- done\n\n---\n";
        let b = "## [X] t\n**Status**: pending\n\n### Verification\nPASS\n\n---\n";
        let (text, c) = m(o, a, b);
        assert!(!c, "{text}");
        assert_eq!(m(o, b, a).0, text, "either side may be ours");
        assert_eq!(
            text,
            "## [X] t\n**Status**: pending\n\n### Resolution\n- done\n\n### Verification\nPASS\n\n---\n"
        );
        // The same section, or the same field, added with different text: a conflict.
        let b2 = a.replace("done", "not done");
        assert!(m(o, a, &b2).1);
        let (fa, fb) = (
            o.replace("pending\n", "pending\n**Verified**: true\n"),
            o.replace("pending\n", "pending\n**Verified:** false\n"),
        );
        assert!(m(o, &fa, &fb).1);
        // Free text added at one place on both sides.
        assert!(m("a\n", "a\nx\n", "a\ny\n").1);
    }

    #[test]
    fn matching_follows_a_longest_common_subsequence() {
        let o: Vec<&[u8]> = vec![b"a", b"b", b"c", b"d"];
        let s: Vec<&[u8]> = vec![b"x", b"b", b"d", b"y"];
        assert_eq!(matching(&o, &s), vec![None, Some(1), None, Some(2)]);
    }
}
