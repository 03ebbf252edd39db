//! Concepts: groups of words that name one thing, read from `concepts.txt` (its header says
//! how to write one).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

/// FNV-1a: the table is built on every hook call that reads a prompt, and its keys are short.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

struct Table {
    /// A lowered word (or stem) of a Latin script, and the concepts it names.
    words: HashMap<&'static str, Vec<&'static str>, BuildHasherDefault<Fnv>>,
    /// Chinese, Japanese or Korean words, and the concept each names.
    cjk: Vec<(&'static str, &'static str)>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut table = Table {
        words: HashMap::with_capacity_and_hasher(1024, BuildHasherDefault::default()),
        cjk: Vec::new(),
    };
    for line in include_str!("concepts.txt").lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((name, members)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        for m in members.split(',').map(str::trim).filter(|m| !m.is_empty()) {
            if is_cjk_word(m) {
                table.cjk.push((m, name));
            } else {
                let names = table.words.entry(m).or_default();
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    table
});

fn is_cjk_word(m: &str) -> bool {
    m.chars().any(super::text::is_cjk)
}

/// The concepts a word names, as written or as its stem.
pub fn of_word(word: &str, stem: &str) -> Vec<&'static str> {
    let table = &*TABLE;
    let mut out: Vec<&'static str> = Vec::new();
    for key in [word, stem] {
        if let Some(names) = table.words.get(key) {
            for n in names {
                if !out.contains(n) {
                    out.push(n);
                }
            }
        }
    }
    out
}

/// The concepts named anywhere in a run of CJK characters.
pub fn of_cjk(run: &str) -> impl Iterator<Item = &'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for (_, name) in members_in(run) {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out.into_iter()
}

/// The CJK words of the table found in a run, each with the concept it names.
pub fn members_in(run: &str) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    TABLE
        .cjk
        .iter()
        .filter(move |(member, _)| run.contains(member))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_reads_and_names_its_words() {
        assert_eq!(of_word("excel", "excel"), ["spreadsheet"]);
        assert_eq!(of_word("planilhas", "planilh"), ["spreadsheet"]);
        assert!(of_word("deployment", "deploy").contains(&"deploy"));
        assert!(of_cjk("更新折线图").any(|c| c == "chart"));
        assert_eq!(of_word("zebra", "zebra"), Vec::<&str>::new());
        let lines = include_str!("concepts.txt")
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'));
        for line in lines {
            let (name, members) = line.split_once(':').expect("name: words");
            assert!(
                !name.trim().is_empty() && !members.trim().is_empty(),
                "{line}"
            );
            for m in members.split(',').map(str::trim) {
                assert_eq!(m, m.to_lowercase(), "{line}: words are lowered");
                assert!(!m.contains(' '), "{line}: one word each");
            }
        }
    }
}
