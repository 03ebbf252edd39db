//! Relevance: how well a past lesson fits a prompt, the one question the activator asks on
//! every prompt and `evolver search` answers with scores.
//!
//! A lesson is read as its terms, each with how often it occurs, counted more in its
//! summary, tags and pattern key than in its details ([`Doc`]). A term is the stem of a
//! word in the lesson's language (English, Portuguese or German, by its function words),
//! a pair of adjacent Chinese, Japanese or Korean characters, or a concept: a group of words
//! that name one thing (`spreadsheet`, `excel`, `planilha`, `表格`), so that a prompt that
//! says it in other words still meets the lesson (`concepts.txt`). A prompt is read the same
//! way, each of its words standing for its stem in any of the three languages.
//!
//! The score is BM25: a term counts for more the rarer it is among all the lessons (their
//! document frequencies, kept in the index), with diminishing returns for repeats and long
//! lessons. A concept counts for less than the word itself. A lesson is shown only above
//! [`MIN_SCORE`], so that an unrelated prompt shows nothing rather than three weak guesses.
//!
//! Terms are 32-bit hashes. Document frequencies are kept per hash bucket ([`Df`]), so two
//! terms that share a bucket share a count: a rare term can look more common than it is,
//! never less. A lesson's terms also make its [`Signature`], which tells the activator,
//! without reading the lesson, that it cannot hold a term, and bounds its score.
//!
//! This folder uses nothing else of the crate: the index (`store`) keeps what it computes,
//! and the activator (`hooks`) asks it.

mod concepts;
pub mod text;

use std::borrow::Cow;
use std::collections::HashMap;

use text::{Language, Stemmers, Token};

/// A term, as its hash.
pub type Term = u32;

/// How much one match adds at most, relative to the rarest term: BM25's `k1`.
const K1: f64 = 1.2;
/// How much a lesson's length discounts its matches: BM25's `b`.
const B: f64 = 0.75;
/// Lessons assumed besides those in the logs when weighing a term, so that in a log of a
/// few entries a word they all share is not taken for a telling one.
const PRIOR_DOCS: f64 = 20.0;
/// What a concept counts for, against the word itself.
const CONCEPT_WEIGHT: f64 = 0.6;
/// What a word that names a change rather than a thing counts for ([`text::is_weak`]).
const WEAK_WEIGHT: f64 = 0.3;
/// Scores are kept in thousandths, so that every reader ranks by the same integers.
const SCALE: f64 = 1000.0;
/// The least score (in thousandths) of a lesson worth showing.
pub const MIN_SCORE: u32 = 2_000;

/// How much of a prompt is read, and how many of its words and pairs at most.
const MAX_PROMPT_BYTES: usize = 64 * 1024;
const MAX_GROUPS: usize = 256;
/// How many of a prompt's groups are scored: the most telling.
const MAX_SCORED: usize = 64;

/// How many document-frequency buckets a log keeps.
pub const BUCKETS: usize = 1 << 12;

/// A lesson's terms, sorted, with their weighted counts, and its length.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Doc {
    terms: Vec<(Term, u32)>,
    len: u32,
}

/// What scoring needs of a lesson: its length and the weighted count of a term. A [`Doc`],
/// or the same numbers read where an index keeps them.
pub trait Counts {
    /// Its length: how many words it has, each counted by its field's weight.
    fn length(&self) -> u32;
    /// The weighted count of `term` (0 when it does not hold it).
    fn tf(&self, term: Term) -> u32;
}

impl Counts for Doc {
    fn length(&self) -> u32 {
        self.len
    }
    fn tf(&self, term: Term) -> u32 {
        self.terms
            .binary_search_by_key(&term, |(t, _)| *t)
            .map_or(0, |i| self.terms[i].1)
    }
}

impl Doc {
    /// A lesson's terms as an index kept them: `None` unless sorted and distinct.
    pub fn from_parts(terms: Vec<(Term, u32)>, len: u32) -> Option<Doc> {
        terms
            .windows(2)
            .all(|w| w[0].0 < w[1].0)
            .then_some(Doc { terms, len })
    }

    /// Its distinct terms, sorted, with their weighted counts.
    pub fn counts(&self) -> &[(Term, u32)] {
        &self.terms
    }

    /// Its distinct terms.
    pub fn terms(&self) -> impl Iterator<Item = Term> + '_ {
        self.terms.iter().map(|(t, _)| *t)
    }
}

/// One thing a prompt asks for: a word, met as any of its stems or, for less, as a concept
/// it names. A lesson scores for a group by its best variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// What the prompt said, for a person reading scores: the word or pair of characters.
    pub label: String,
    /// Each term that meets the group, with what a match counts for, and the concept's name
    /// when it is one.
    variants: Vec<(Term, f64, Option<&'static str>)>,
}

impl Group {
    fn add(&mut self, term: Term, weight: f64, concept: Option<&'static str>) {
        match self.variants.iter_mut().find(|(t, ..)| *t == term) {
            Some((_, w, _)) => *w = w.max(weight),
            None => self.variants.push((term, weight, concept)),
        }
    }
}

/// A prompt, read for matching.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub groups: Vec<Group>,
}

impl Query {
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// The numbers BM25 needs about all the lessons: how many there are, their total length, and
/// in how many of them each term (bucket) occurs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Df {
    pub docs: u64,
    pub total_len: u64,
    pub buckets: Vec<u32>,
}

impl Default for Df {
    fn default() -> Self {
        Df {
            docs: 0,
            total_len: 0,
            buckets: vec![0; BUCKETS],
        }
    }
}

fn bucket(term: Term) -> usize {
    term as usize % BUCKETS
}

impl Df {
    /// Counts one more lesson (an entry that is not a lesson counts with no terms).
    pub fn add(&mut self, doc: &Doc) {
        self.docs += 1;
        self.total_len += u64::from(doc.len);
        for t in doc.terms() {
            let b = &mut self.buckets[bucket(t)];
            *b = b.saturating_add(1);
        }
    }

    /// Takes back a lesson counted by [`Df::add`].
    pub fn remove(&mut self, doc: &Doc) {
        self.docs = self.docs.saturating_sub(1);
        self.total_len = self.total_len.saturating_sub(u64::from(doc.len));
        for t in doc.terms() {
            let b = &mut self.buckets[bucket(t)];
            *b = b.saturating_sub(1);
        }
    }

    /// Adds another log's counts.
    pub fn merge(&mut self, other: &Df) {
        self.docs += other.docs;
        self.total_len += other.total_len;
        for (a, b) in self.buckets.iter_mut().zip(&other.buckets) {
            *a = a.saturating_add(*b);
        }
    }

    /// How telling `term` is: BM25's inverse document frequency, with `PRIOR_DOCS` lessons
    /// assumed besides those counted.
    pub fn idf(&self, term: Term) -> f64 {
        let n = self.docs as f64 + PRIOR_DOCS;
        let df = f64::from(self.buckets[bucket(term)]).min(self.docs as f64);
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    fn avg_len(&self) -> f64 {
        if self.docs == 0 {
            1.0
        } else {
            (self.total_len as f64 / self.docs as f64).max(1.0)
        }
    }
}

/// One lesson's score against a prompt, and which of the prompt's groups it matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    /// In thousandths.
    pub value: u32,
    /// The groups matched, each with the concept it was met through, if it was.
    pub matched: Vec<(usize, Option<&'static str>)>,
}

/// A prompt weighed against the lessons: every variant's weight, worked out once.
#[derive(Debug, Clone)]
pub struct Scorer<'q> {
    query: &'q Query,
    /// Per group, per variant: what a match counts for (its weight times its idf).
    weights: Vec<Vec<f64>>,
    /// For the bound: every variant, by group, best first within each group.
    parts: Vec<Part>,
    avg_len: f64,
}

/// A variant as the bound needs it.
#[derive(Debug, Clone)]
struct Part {
    group: usize,
    /// The most it can add to a score, in thousandths, rounded up.
    most: u32,
    /// Where its three bits lie in a signature: a word and a mask.
    bits: [(usize, u64); 3],
}

impl<'q> Scorer<'q> {
    pub fn new(query: &'q Query, df: &Df) -> Scorer<'q> {
        let mut weights = query
            .groups
            .iter()
            .map(|g| g.variants.iter().map(|(v, w, _)| w * df.idf(*v)).collect())
            .collect::<Vec<Vec<f64>>>();
        // A long prompt is scored by its most telling groups only, so that it costs what a
        // short one does.
        if weights.len() > MAX_SCORED {
            let best = |ws: &[f64]| ws.iter().copied().fold(0.0, f64::max);
            let mut order: Vec<usize> = (0..weights.len()).collect();
            order.sort_by(|a, b| {
                best(&weights[*b])
                    .total_cmp(&best(&weights[*a]))
                    .then(a.cmp(b))
            });
            for &g in &order[MAX_SCORED..] {
                weights[g].iter_mut().for_each(|w| *w = 0.0);
            }
        }
        let mut parts: Vec<Part> = Vec::new();
        for (group, (g, ws)) in query.groups.iter().zip(&weights).enumerate() {
            for ((v, ..), w) in g.variants.iter().zip(ws) {
                if *w > 0.0 {
                    parts.push(Part {
                        group,
                        most: (w * (K1 + 1.0) * SCALE).ceil() as u32 + 1,
                        bits: bits(*v).map(|b| (usize::from(b >> 6), 1u64 << (b & 63))),
                    });
                }
            }
        }
        parts.sort_by(|a, b| a.group.cmp(&b.group).then(b.most.cmp(&a.most)));
        Scorer {
            query,
            weights,
            parts,
            avg_len: df.avg_len(),
        }
    }

    /// The prompt weighed.
    pub fn query(&self) -> &'q Query {
        self.query
    }

    /// BM25 of `doc`, each group counting its best variant, with the groups it matched.
    pub fn score(&self, doc: &(impl Counts + ?Sized)) -> Score {
        let mut matched = Vec::new();
        let value = self.run(doc, Some(&mut matched));
        Score { value, matched }
    }

    /// [`Scorer::score`]'s value alone, without allocating.
    pub fn value(&self, doc: &(impl Counts + ?Sized)) -> u32 {
        self.run(doc, None)
    }

    fn run(
        &self,
        doc: &(impl Counts + ?Sized),
        mut matched: Option<&mut Vec<(usize, Option<&'static str>)>>,
    ) -> u32 {
        let norm = K1 * (1.0 - B + B * f64::from(doc.length()) / self.avg_len);
        let mut total = 0.0;
        for (n, g) in self.query.groups.iter().enumerate() {
            let mut best: f64 = 0.0;
            let mut through = None;
            for ((v, _, concept), idf) in g.variants.iter().zip(&self.weights[n]) {
                let tf = f64::from(doc.tf(*v));
                let part = if tf > 0.0 {
                    idf * tf * (K1 + 1.0) / (tf + norm)
                } else {
                    0.0
                };
                if part > best {
                    (best, through) = (part, *concept);
                }
            }
            if best > 0.0 {
                total += best;
                if let Some(m) = matched.as_deref_mut() {
                    m.push((n, through));
                }
            }
        }
        (total * SCALE).round() as u32
    }

    /// The highest score a lesson with signature `sig` can have: never below what
    /// [`Scorer::score`] gives it.
    pub fn bound(&self, sig: &Signature) -> u32 {
        let mut total = 0u32;
        // Each group adds its best variant the signature may hold: the first found, since a
        // group's variants come best first.
        let mut counted = usize::MAX;
        for p in &self.parts {
            if p.group != counted && p.bits.iter().all(|(w, m)| sig[*w] & m != 0) {
                total = total.saturating_add(p.most);
                counted = p.group;
            }
        }
        total
    }
}

/// The hash of a term's text (FNV-1a, 32 bits).
fn hash(text: &str) -> Term {
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    h
}

fn concept_term(name: &str) -> Term {
    hash(name) ^ 0x5bd1_e995
}

/// Characters that join words in Chinese rather than name anything: a pair that holds one
/// tells nothing.
const CJK_FILLER: &str = "的了吗呢吧啊请帮我你他她它们把被这那个";

/// Reads texts into terms, with the stemmers made once.
#[derive(Default)]
pub struct Reader {
    stemmers: Stemmers,
}

impl Reader {
    /// The terms of a lesson whose fields are given with their weights.
    pub fn doc(&self, fields: &[(&str, u32)]) -> Doc {
        let texts: Vec<&str> = fields.iter().map(|(t, _)| *t).collect();
        let language = text::language_of(&texts);
        let mut counts: Vec<(Term, u32)> = Vec::new();
        let mut len = 0u32;
        let mut buf = String::new();
        for &(field, weight) in fields {
            text::tokens(field, &mut buf, &mut |t| match t {
                Token::Word(w) => {
                    if text::is_stop_word(w) {
                        return;
                    }
                    let stem = self.stemmers.stem(language, w);
                    counts.push((hash(&stem), weight));
                    len += weight;
                    for c in concepts::of_word(w, &stem) {
                        counts.push((concept_term(c), weight));
                    }
                }
                Token::Cjk(run) => {
                    text::cjk_pairs(run, &mut |p| {
                        if !p.chars().any(|c| CJK_FILLER.contains(c)) {
                            counts.push((hash(p), weight));
                            len += weight;
                        }
                    });
                    for c in concepts::of_cjk(run) {
                        counts.push((concept_term(c), weight));
                    }
                }
            });
        }
        counts.sort_unstable();
        let mut terms: Vec<(Term, u32)> = Vec::with_capacity(counts.len());
        for (t, w) in counts {
            match terms.last_mut() {
                Some((last, n)) if *last == t => *n += w,
                _ => terms.push((t, w)),
            }
        }
        Doc { terms, len }
    }

    /// The groups of a prompt: each distinct word (met as its stem in any language, as
    /// itself, or for less as a concept it names) and each pair of CJK characters (or a
    /// concept a CJK word names, met through the word's first pair).
    pub fn query(&self, prompt: &str) -> Query {
        // A prompt can be a whole file pasted in: its start is read, and its first words.
        let mut end = prompt.len().min(MAX_PROMPT_BYTES);
        while !prompt.is_char_boundary(end) {
            end -= 1;
        }
        let mut groups: Vec<Group> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut buf = String::new();
        text::tokens(&prompt[..end], &mut buf, &mut |t| match t {
            _ if groups.len() >= MAX_GROUPS => {}
            Token::Word(w) => {
                if text::is_stop_word(w) || seen.contains_key(w) {
                    return;
                }
                seen.insert(w.to_owned(), groups.len());
                let mut stems: Vec<Cow<'_, str>> = vec![Cow::Borrowed(w)];
                for l in Language::ALL {
                    let s = self.stemmers.stem(l, w);
                    if !stems.contains(&s) {
                        stems.push(Cow::Owned(s.into_owned()));
                    }
                }
                let weak = stems.iter().any(|s| text::is_weak(s));
                let weight = if weak { WEAK_WEIGHT } else { 1.0 };
                let mut g = Group {
                    label: w.to_owned(),
                    variants: Vec::new(),
                };
                for s in &stems {
                    g.add(hash(s), weight, None);
                }
                if !weak {
                    for s in &stems {
                        for c in concepts::of_word(w, s) {
                            g.add(concept_term(c), CONCEPT_WEIGHT, Some(c));
                        }
                    }
                }
                groups.push(g);
            }
            Token::Cjk(run) => {
                text::cjk_pairs(run, &mut |p| {
                    if !p.chars().any(|c| CJK_FILLER.contains(c)) && !seen.contains_key(p) {
                        seen.insert(p.to_owned(), groups.len());
                        let weight = if text::is_weak(p) { WEAK_WEIGHT } else { 1.0 };
                        groups.push(Group {
                            label: p.to_owned(),
                            variants: vec![(hash(p), weight, None)],
                        });
                    }
                });
                for (member, c) in concepts::members_in(run) {
                    let first: String = member.chars().take(2).collect();
                    let term = concept_term(c);
                    match seen.get(&first) {
                        Some(&g) => groups[g].add(term, CONCEPT_WEIGHT, Some(c)),
                        None => {
                            seen.insert(first.clone(), groups.len());
                            groups.push(Group {
                                label: first,
                                variants: vec![(term, CONCEPT_WEIGHT, Some(c))],
                            });
                        }
                    }
                }
            }
        });
        Query { groups }
    }
}

/// A set of terms, three bits each out of 512: it can tell that a lesson does not hold a
/// term, never that it does.
pub type Signature = [u64; 8];

fn bits(term: Term) -> [u16; 3] {
    let mut h = u64::from(term).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^= h >> 31;
    [
        (h & 511) as u16,
        ((h >> 20) & 511) as u16,
        ((h >> 40) & 511) as u16,
    ]
}

/// The signature of a lesson's terms.
pub fn signature(doc: &Doc) -> Signature {
    let mut sig = [0; 8];
    for t in doc.terms() {
        for b in bits(t) {
            sig[usize::from(b >> 6)] |= 1 << (b & 63);
        }
    }
    sig
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether a lesson with this signature may hold `term`, read bit by bit.
    fn may_hold(sig: &Signature, term: Term) -> bool {
        bits(term)
            .iter()
            .all(|b| sig[usize::from(b >> 6)] & (1 << (b & 63)) != 0)
    }

    fn df_of(docs: &[&Doc]) -> Df {
        let mut df = Df::default();
        for d in docs {
            df.add(d);
        }
        df
    }

    #[test]
    fn a_rare_shared_word_outranks_a_common_one() {
        let r = Reader::default();
        let pool: Vec<Doc> = (0..8)
            .map(|i| r.doc(&[(&format!("the test page {i} shows a blank version"), 3)]))
            .collect();
        let right = r.doc(&[("openpyxl drops formulas when the test saves", 3)]);
        let mut all: Vec<&Doc> = pool.iter().collect();
        all.push(&right);
        let df = df_of(&all);
        let q = r.query("regenerate the openpyxl test page");
        let scorer = Scorer::new(&q, &df);
        let s_right = scorer.score(&right).value;
        let s_look_alike = scorer.score(&pool[0]).value;
        assert!(s_right > s_look_alike, "{s_right} <= {s_look_alike}");
    }

    #[test]
    fn stems_concepts_and_cjk_meet_across_words() {
        let r = Reader::default();
        let lesson = r.doc(&[("Deployment to Vercel fails on the Excel workbook export", 3)]);
        let df = df_of(&[&lesson]);
        for prompt in [
            "deploying again",
            "update the spreadsheet",
            "更新电子表格",
            "planilha nova",
        ] {
            let q = r.query(prompt);
            assert!(Scorer::new(&q, &df).score(&lesson).value > 0, "{prompt}");
        }
        let chinese = r.doc(&[("Chart.js 折线图的坐标轴标签重叠", 3)]);
        let df = df_of(&[&chinese]);
        let q = r.query("折线图标签");
        let s = Scorer::new(&q, &df).score(&chinese);
        assert!(s.matched.len() >= 3, "{s:?}");
        let q = r.query("数据库迁移");
        assert_eq!(Scorer::new(&q, &df).score(&chinese).value, 0);
    }

    #[test]
    fn a_word_in_its_everyday_sense_meets_no_concept() {
        // Words whose common sense in a developer's prompt is not the concept's: locating a
        // bug is not a map, a React hook is not a plugin, a type of store is not type
        // checking, an HTTP POST is not a blog post, checking is not an approval.
        let r = Reader::default();
        for (lesson, prompt) in [
            ("GPS coordinates drift on Android", "帮我定位这个崩溃"),
            (
                "The Obsidian plugin fails to load",
                "the useEffect hook fires twice",
            ),
            ("mypy rejects the typing of the handler", "门店类型改成中文"),
            (
                "Hugo builds the article with a future date",
                "POST the form to /api/signup",
            ),
            ("The approval step blocks the deploy", "确认一下配置"),
            (
                "Schedule the sync for the meeting calendar",
                "the click event fires twice",
            ),
        ] {
            let doc = r.doc(&[(lesson, 3)]);
            let df = df_of(&[&doc]);
            let s = Scorer::new(&r.query(prompt), &df).score(&doc);
            assert_eq!(s.value, 0, "{prompt} meets {lesson}: {s:?}");
        }
    }

    #[test]
    fn a_long_prompt_is_read_in_part() {
        let r = Reader::default();
        let words: Vec<String> = (0..5_000).map(|i| format!("word{i}")).collect();
        let q = r.query(&words.join(" "));
        assert_eq!(q.groups.len(), MAX_GROUPS);
        assert_eq!(q.groups[0].label, "word0");
        let huge = "x".repeat(MAX_PROMPT_BYTES) + " 数据库 zebra";
        assert!(r.query(&huge).groups.iter().all(|g| g.label != "zebra"));
        // Only the most telling groups are scored.
        let lesson = r.doc(&[(&words[..100].join(" "), 3)]);
        let df = df_of(&[&lesson]);
        let q = r.query(&words[..100].join(" "));
        let s = Scorer::new(&q, &df).score(&lesson);
        assert_eq!(s.matched.len(), MAX_SCORED);
    }

    #[test]
    fn the_bound_is_never_below_the_score_and_counts_are_undone() {
        let r = Reader::default();
        let docs: Vec<Doc> = [
            "cargo test fails on the parser",
            "parser panics on 解析错误 input",
            "the cache expires too early in redis",
        ]
        .iter()
        .map(|t| r.doc(&[(t, 3), ("details about the parser and cargo", 1)]))
        .collect();
        let refs: Vec<&Doc> = docs.iter().collect();
        let mut df = df_of(&refs);
        let q = r.query("parser cargo 解析 redis caching");
        let scorer = Scorer::new(&q, &df);
        for d in &docs {
            let sig = signature(d);
            let s = scorer.score(d).value;
            assert!(scorer.bound(&sig) >= s);
            assert!(s > 0);
            assert!(d.terms().all(|t| may_hold(&sig, t)));
        }
        let extra = r.doc(&[("something else entirely", 3)]);
        let before = df.clone();
        df.add(&extra);
        assert_ne!(df, before);
        df.remove(&extra);
        assert_eq!(df, before);
    }
}
