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
/// subsequence, if any. Lines both texts begin and end with are matched first, so the usual
/// small change costs little.
fn matching(base: &[&[u8]], side: &[&[u8]]) -> Vec<Option<usize>> {
    let mut out = vec![None; base.len()];
    let head = base.iter().zip(side).take_while(|(x, y)| x == y).count();
    let tail = base[head..]
        .iter()
        .rev()
        .zip(side[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
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
    fn matching_follows_a_longest_common_subsequence() {
        let o: Vec<&[u8]> = vec![b"a", b"b", b"c", b"d"];
        let s: Vec<&[u8]> = vec![b"x", b"b", b"d", b"y"];
        assert_eq!(matching(&o, &s), vec![None, Some(1), None, Some(2)]);
    }
}
