//! Relevance over the labelled sets in `tests/relevance/`: eight projects' logs in four
//! languages, 128 prompts written before the ranking was tuned (`prompts.tsv`) and 72 written
//! later, blind to the ranking (`holdout.tsv`). For each prompt the lessons the activator
//! would show are compared with the label: for a prompt that names the tool or describes the
//! task, the right lesson must be among them; for an unrelated one, nothing should be shown.
//! The numbers are printed (`--nocapture`) and held, language by language, to what was
//! measured (docs/relevance.md).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use evolver::Store;
use evolver::hooks::activator::{Hit, block, indexed_block, search};
use evolver::relevance::MIN_SCORE;

fn set() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/relevance")
}

struct Labelled {
    project: String,
    kind: String,
    expected: Vec<String>,
    prompt: String,
}

/// The prompts of one labelled file of the set.
fn labelled(file: &str) -> Vec<Labelled> {
    let text = std::fs::read_to_string(set().join(file)).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("project\tkind\texpected\tprompt"),
        "{file}"
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 4, "{l}");
            Labelled {
                project: f[0].to_owned(),
                kind: f[1].to_owned(),
                expected: match f[2] {
                    "-" => Vec::new(),
                    ids => ids.split(',').map(|s| s.trim().to_owned()).collect(),
                },
                prompt: f[3].to_owned(),
            }
        })
        .collect()
}

/// A copy of a project's logs as a `.learnings/` folder, in a folder that lives as long as
/// the returned guard.
fn project(name: &str) -> (tempfile::TempDir, Store) {
    let files = std::fs::read_dir(set().join("logs").join(name))
        .unwrap()
        .map(|f| {
            let path = f.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (path, name)
        })
        .collect::<Vec<_>>();
    store_of(&files)
}

/// A project whose `.learnings/` holds copies of `files` (each with the name it takes there),
/// settled, with its index made.
pub(crate) fn store_of(files: &[(PathBuf, String)]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let learnings = dir.path().join(".learnings");
    std::fs::create_dir(&learnings).unwrap();
    for (file, name) in files {
        let copy = learnings.join(name);
        std::fs::copy(file, &copy).unwrap();
        // Settled, as a log is between prompts, so that its index can be kept.
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options()
            .append(true)
            .open(&copy)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
    }
    let store = Store::open(dir.path().to_path_buf()).unwrap();
    settle(&store);
    (dir, store)
}

/// Waits until the file system's clock has moved past the copies' change times, so that an
/// index made of them can be kept (an index is not kept for a log changed within the clock's
/// last tick: a later change might not show).
pub(crate) fn settle(store: &Store) {
    for _ in 0..400 {
        store.refresh_index().unwrap();
        if store.index_health().is_empty() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("the index was never kept: {:?}", store.index_health());
}

/// What the activator shows for a prompt: the first three hits that reach the threshold.
fn shown(store: &Store, prompt: &str) -> Vec<Hit> {
    let mut hits = search(store, prompt, 3).unwrap();
    hits.retain(|h| h.score >= MIN_SCORE);
    hits
}

#[derive(Default)]
struct Tally {
    right: usize,
    of: usize,
}

impl Tally {
    fn rate(&self) -> f64 {
        if self.of == 0 {
            1.0
        } else {
            self.right as f64 / self.of as f64
        }
    }
}

/// How one labelled file fares per (language, kind), where a hit for `unrelated` is a
/// prompt that showed nothing; printed, with the totals per kind and every miss.
struct Measured {
    tallies: BTreeMap<(String, String), Tally>,
    misses: Vec<String>,
}

fn measure(file: &str) -> Measured {
    let prompts = labelled(file);
    let mut stores = BTreeMap::new();
    let mut tallies: BTreeMap<(String, String), Tally> = BTreeMap::new();
    let mut misses = Vec::new();
    for p in &prompts {
        let (_, store) = stores
            .entry(p.project.clone())
            .or_insert_with(|| project(&p.project));
        let hits = shown(store, &p.prompt);
        let language = p.project.split('-').next().unwrap().to_owned();
        let t = tallies.entry((language, p.kind.clone())).or_default();
        t.of += 1;
        let right = if p.kind == "unrelated" {
            hits.is_empty()
        } else {
            hits.iter().any(|h| p.expected.contains(&h.id))
        };
        if right {
            t.right += 1;
        } else {
            let got: Vec<String> = hits
                .iter()
                .map(|h| {
                    format!(
                        "{} {:.2} {:?}",
                        h.id,
                        f64::from(h.score) / 1000.0,
                        h.matched
                    )
                })
                .collect();
            misses.push(format!(
                "{} {} {:?} wants {:?}, got {got:?}",
                p.project, p.kind, p.prompt, p.expected
            ));
        }
    }
    println!("{file}\nlanguage  kind        right / prompts");
    let mut overall: BTreeMap<String, Tally> = BTreeMap::new();
    for ((language, kind), t) in &tallies {
        println!(
            "{language:<9} {kind:<11} {:>3} / {:<3} {:>5.1} %",
            t.right,
            t.of,
            100.0 * t.rate()
        );
        let o = overall.entry(kind.clone()).or_default();
        o.right += t.right;
        o.of += t.of;
    }
    for (kind, t) in &overall {
        println!(
            "all       {kind:<11} {:>3} / {:<3} {:>5.1} %",
            t.right,
            t.of,
            100.0 * t.rate()
        );
    }
    for m in &misses {
        println!("miss: {m}");
    }
    Measured { tallies, misses }
}

impl Measured {
    /// The cells of the table that fall below their floors: `(language, kind, least right,
    /// prompts)`, every language and kind of the file named once.
    fn short(&self, floors: &[(&str, &str, usize, usize)]) -> Vec<String> {
        let mut short = Vec::new();
        let named: Vec<(String, String)> = floors
            .iter()
            .map(|(l, k, ..)| ((*l).to_owned(), (*k).to_owned()))
            .collect();
        let held: Vec<&(String, String)> = self.tallies.keys().collect();
        assert_eq!(
            held,
            named.iter().collect::<Vec<_>>(),
            "every cell has a floor"
        );
        for (language, kind, least, of) in floors {
            let t = &self.tallies[&((*language).to_owned(), (*kind).to_owned())];
            assert_eq!(t.of, *of, "{language} {kind}: the file changed");
            if t.right < *least {
                short.push(format!(
                    "{language} {kind}: {} / {of}, floor {least}",
                    t.right
                ));
            }
        }
        short
    }
}

/// Measures one labelled file and fails on any cell below its floor, with every miss.
fn hold(file: &str, floors: &[(&str, &str, usize, usize)]) {
    let m = measure(file);
    let short = m.short(floors);
    assert!(
        short.is_empty(),
        "{file} below the floor: {short:?}\n{:#?}",
        m.misses
    );
}

#[test]
fn the_labelled_set_keeps_its_measured_recall() {
    // The goals are every tool prompt and 70 % of paraphrases in every language, and
    // nothing shown for 90 % of unrelated prompts. Held here is what the ranking reaches
    // (docs/relevance.md has the numbers and what falls short of the goals).
    hold(
        "prompts.tsv",
        &[
            ("de", "paraphrase", 9, 12),
            ("de", "tool", 12, 12),
            ("de", "unrelated", 1, 8),
            ("en", "paraphrase", 9, 12),
            ("en", "tool", 12, 12),
            ("en", "unrelated", 0, 8),
            ("pt", "paraphrase", 9, 12),
            ("pt", "tool", 12, 12),
            ("pt", "unrelated", 1, 8),
            ("zh", "paraphrase", 7, 12),
            ("zh", "tool", 12, 12),
            ("zh", "unrelated", 2, 8),
        ],
    );
}

#[test]
fn the_held_out_prompts_keep_their_measured_recall() {
    // Written without sight of the ranking or of the first prompts, after the ranking was
    // tuned on those, and first measured with the ranking as it is: held as measured, and
    // never tuned to.
    hold(
        "holdout.tsv",
        &[
            ("de", "paraphrase", 4, 6),
            ("de", "tool", 6, 6),
            ("de", "unrelated", 0, 6),
            ("en", "paraphrase", 6, 6),
            ("en", "tool", 6, 6),
            ("en", "unrelated", 0, 6),
            ("pt", "paraphrase", 6, 6),
            ("pt", "tool", 6, 6),
            ("pt", "unrelated", 2, 6),
            ("zh", "paraphrase", 6, 6),
            ("zh", "tool", 6, 6),
            ("zh", "unrelated", 0, 6),
        ],
    );
}

#[test]
fn the_index_and_the_logs_rank_every_labelled_prompt_alike() {
    let mut prompts = labelled("prompts.tsv");
    prompts.extend(labelled("holdout.tsv"));
    let mut stores = BTreeMap::new();
    for p in &prompts {
        let (_, store) = stores
            .entry(p.project.clone())
            .or_insert_with(|| project(&p.project));
        // Without an index the activator reads the logs (and makes the index); then the index
        // alone must say the same.
        let _ = std::fs::remove_dir_all(store.dir().join(".index"));
        let from_logs = block(store, &p.prompt).unwrap();
        settle(store);
        let from_index = indexed_block(store, &p.prompt).expect("the index was made");
        assert_eq!(from_logs, from_index, "{}: {}", p.project, p.prompt);
    }
    for (_, store) in stores.values() {
        assert!(store.index_drift().unwrap().is_empty());
    }
}

#[test]
fn damaged_terms_or_signatures_are_refused_and_made_anew() {
    // Writers never read the hot column, and read a terms record only to replace it, so a
    // reader may be the first to find them damaged: it must not believe them, and must have
    // them made anew.
    for column in ["terms", "hot"] {
        let (_guard, store) = project("en-dashboard");
        let prompt = "the chart on the dashboard renders twice";
        let from_logs = block(&store, prompt).unwrap();
        assert_eq!(
            indexed_block(&store, prompt).as_deref(),
            Some(from_logs.as_str())
        );
        let file = store.dir().join(format!(".index/LEARNINGS.md.{column}"));
        let mut bytes = std::fs::read(&file).unwrap();
        assert!(bytes.len() > 100, "{column}: {} bytes", bytes.len());
        for b in bytes.iter_mut().step_by(97) {
            *b ^= 0x5a;
        }
        std::fs::write(&file, &bytes).unwrap();
        assert_eq!(
            indexed_block(&store, prompt),
            None,
            "{column} is not believed"
        );
        assert!(!store.index_health().is_empty(), "{column}");
        // The next prompt reads the logs, says the same, and has the index made anew (kept
        // once the clock has moved on).
        assert_eq!(block(&store, prompt).unwrap(), from_logs, "{column}");
        settle(&store);
        assert_eq!(
            indexed_block(&store, prompt).as_deref(),
            Some(from_logs.as_str()),
            "{column}"
        );
        assert!(
            store.index_health().is_empty(),
            "{:?}",
            store.index_health()
        );
    }
}

#[test]
fn a_terms_column_cut_short_is_refused_not_written_after() {
    let (guard, store) = project("en-dashboard");
    let log = |summary: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_evolver"))
            .args(["log", "learning", "--summary", summary])
            .current_dir(guard.path())
            .env("EVOLVER_ROOT", guard.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let terms = store.dir().join(".index/LEARNINGS.md.terms");
    let before = std::fs::metadata(&terms).unwrap().len();
    log("zebra quagga okapi importer explodes");
    assert!(std::fs::metadata(&terms).unwrap().len() > before);
    // A lost write: the new record is gone, the front still counts it.
    std::fs::File::options()
        .write(true)
        .open(&terms)
        .unwrap()
        .set_len(before)
        .unwrap();
    assert!(!store.index_health().is_empty());
    log("walrus narwhal beluga tokenizer crashes");
    settle(&store);
    assert!(store.index_drift().unwrap().is_empty());
    let prompt = "the zebra quagga importer";
    let from_index = indexed_block(&store, prompt).expect("the index was made anew");
    assert!(from_index.contains("zebra quagga okapi"), "{from_index}");
    let _ = std::fs::remove_dir_all(store.dir().join(".index"));
    assert_eq!(block(&store, prompt).unwrap(), from_index);
}
