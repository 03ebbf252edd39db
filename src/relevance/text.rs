//! From text to words: splitting, lowering, the words too common to tell anything, the
//! language a text is written in, and stems.
//!
//! A word is a run of letters and digits of two characters or more, lowered. Chinese,
//! Japanese and Korean are not split by spaces: a run of those characters is kept whole and
//! read as overlapping pairs (a single character alone stands for itself).

use rust_stemmers::{Algorithm, Stemmer};

/// The languages whose words are stemmed. Others are read as they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    Portuguese,
    German,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::English, Language::Portuguese, Language::German];

    fn stop_words(self) -> &'static [&'static str] {
        match self {
            Language::English => ENGLISH,
            Language::Portuguese => PORTUGUESE,
            Language::German => GERMAN,
        }
    }

    fn algorithm(self) -> Algorithm {
        match self {
            Language::English => Algorithm::English,
            Language::Portuguese => Algorithm::Portuguese,
            Language::German => Algorithm::German,
        }
    }
}

// Function words, sorted, so that a lookup is a binary search. A prompt's other words all
// count; how much each tells is left to how rare it is in the logs.
const ENGLISH: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "but", "by", "can", "could", "did", "do", "does",
    "doing", "don't", "each", "for", "from", "get", "got", "had", "has", "have", "he", "her",
    "here", "him", "his", "how", "i", "i'm", "if", "in", "into", "is", "it", "it's", "its", "just",
    "let", "let's", "like", "me", "more", "my", "need", "no", "not", "now", "of", "on", "once",
    "only", "or", "our", "out", "over", "please", "she", "should", "so", "some", "than", "that",
    "the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "too", "up",
    "us", "use", "very", "want", "was", "we", "were", "what", "when", "where", "which", "while",
    "who", "why", "will", "with", "would", "you", "your",
];

const PORTUGUESE: &[&str] = &[
    "a", "ao", "aos", "as", "até", "com", "como", "da", "das", "de", "dela", "dele", "do", "dos",
    "e", "ela", "ele", "em", "entre", "essa", "esse", "esta", "este", "está", "eu", "foi", "isso",
    "isto", "já", "lhe", "mais", "mas", "me", "meu", "minha", "na", "nas", "no", "nos", "num",
    "numa", "não", "o", "os", "ou", "para", "pela", "pelo", "por", "porque", "pra", "quando",
    "que", "se", "sem", "ser", "seu", "sua", "são", "também", "tem", "um", "uma", "você", "à", "é",
];

const GERMAN: &[&str] = &[
    "aber", "als", "am", "an", "auch", "auf", "aus", "bei", "bis", "bitte", "da", "damit", "dann",
    "das", "dass", "dem", "den", "der", "des", "die", "dies", "diese", "dieser", "doch", "du",
    "durch", "ein", "eine", "einem", "einen", "einer", "er", "es", "für", "hat", "ich", "ihr",
    "im", "in", "ist", "kann", "mal", "mit", "muss", "nach", "nicht", "noch", "nur", "ob", "oder",
    "sich", "sie", "sind", "so", "soll", "um", "und", "uns", "von", "vor", "war", "wenn", "wie",
    "wir", "wird", "wo", "zu", "zum", "zur", "über",
];

// Words that name a change rather than what is changed ("add", "update", "new"): in a
// prompt they count, but for little, since nearly every request says one. Sorted.
const WEAK_ENGLISH: &[&str] = &[
    "add",
    "adding",
    "allow",
    "better",
    "bump",
    "change",
    "changes",
    "check",
    "clean",
    "code",
    "create",
    "do",
    "each",
    "edit",
    "every",
    "few",
    "file",
    "files",
    "fix",
    "function",
    "functions",
    "helper",
    "implement",
    "improve",
    "keep",
    "launch",
    "list",
    "little",
    "make",
    "move",
    "new",
    "old",
    "project",
    "put",
    "quick",
    "read",
    "refactor",
    "remove",
    "rename",
    "run",
    "section",
    "set",
    "show",
    "small",
    "start",
    "support",
    "sure",
    "text",
    "thing",
    "two",
    "update",
    "whole",
    "work",
    "write",
];

const WEAK_PORTUGUESE: &[&str] = &[
    "adicionar",
    "agora",
    "ainda",
    "alterar",
    "arquivo",
    "arquivos",
    "atualizar",
    "aumentar",
    "cada",
    "colocar",
    "corrigir",
    "criar",
    "código",
    "deixar",
    "fazer",
    "função",
    "funções",
    "gerar",
    "melhorar",
    "mostrar",
    "mudar",
    "nova",
    "novas",
    "novo",
    "novos",
    "organizar",
    "pequena",
    "pequeno",
    "precisa",
    "preciso",
    "projeto",
    "quero",
    "renomear",
    "rodar",
    "só",
    "toda",
    "todas",
    "todo",
    "todos",
    "trocar",
    "usar",
    "ver",
    "vez",
];

const WEAK_GERMAN: &[&str] = &[
    "aktualisieren",
    "alle",
    "allen",
    "aller",
    "alles",
    "anlegen",
    "anpassen",
    "anzeigen",
    "aufräumen",
    "bauen",
    "code",
    "datei",
    "dateien",
    "einige",
    "ergänzen",
    "erstellen",
    "hinzufügen",
    "immer",
    "jede",
    "jedem",
    "jeden",
    "jeder",
    "jedes",
    "kleine",
    "kleinen",
    "korrigieren",
    "machen",
    "mehrere",
    "neu",
    "neue",
    "neuen",
    "neues",
    "projekt",
    "schnell",
    "schneller",
    "schreiben",
    "umbenennen",
    "verschieben",
    "ändern",
];

/// Pairs of Chinese characters that name a change or a quantity rather than a thing.
const WEAK_CJK: &[&str] = &[
    "一下", "一些", "一起", "修改", "功能", "加上", "可以", "增加", "所有", "支持", "改成", "每个",
    "添加", "现在", "生成", "需要",
];

/// Whether `word` (lowered, or one of its stems) names a change rather than a thing.
pub fn is_weak(word: &str) -> bool {
    [WEAK_ENGLISH, WEAK_PORTUGUESE, WEAK_GERMAN, WEAK_CJK]
        .iter()
        .any(|list| list.binary_search(&word).is_ok())
}

/// Whether `word` (lowered) is a function word of any language read here.
pub fn is_stop_word(word: &str) -> bool {
    Language::ALL
        .iter()
        .any(|l| l.stop_words().binary_search(&word).is_ok())
}

/// One piece of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// A lowered word (or number) of two characters or more.
    Word(&'a str),
    /// A whole run of Chinese, Japanese or Korean characters.
    Cjk(&'a str),
}

/// Calls `f` with every token of `text`. `buf` is reused between words.
pub fn tokens(text: &str, buf: &mut String, f: &mut dyn FnMut(Token<'_>)) {
    let mut word = std::mem::take(buf);
    word.clear();
    let flush = |word: &mut String, f: &mut dyn FnMut(Token<'_>)| {
        while word.ends_with('\'') {
            word.pop();
        }
        if word.chars().nth(1).is_some() {
            f(Token::Word(word));
        }
        word.clear();
    };
    let mut cjk_start = None;
    for (at, c) in text.char_indices() {
        if is_cjk(c) {
            flush(&mut word, f);
            cjk_start.get_or_insert(at);
            continue;
        }
        if let Some(start) = cjk_start.take() {
            f(Token::Cjk(&text[start..at]));
        }
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if c == '\'' || c == '\u{2019}' {
            // Kept inside a word (don't, let's), dropped at its edges.
            if !word.is_empty() && !word.ends_with('\'') {
                word.push('\'');
            }
        } else if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else {
            flush(&mut word, f);
        }
    }
    if let Some(start) = cjk_start {
        f(Token::Cjk(&text[start..]));
    }
    flush(&mut word, f);
    *buf = word;
}

/// Calls `f` with every pair of adjacent characters of a CJK run (the run itself when it is
/// one character).
pub fn cjk_pairs(run: &str, f: &mut dyn FnMut(&str)) {
    let mut chars = run.char_indices().skip(1).peekable();
    if chars.peek().is_none() {
        if !run.is_empty() {
            f(run);
        }
        return;
    }
    let mut start = 0;
    for (at, c) in chars {
        f(&run[start..at + c.len_utf8()]);
        start = at;
    }
}

/// Whether `c` is a Chinese, Japanese or Korean character, read in pairs.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

/// The language `text` is most likely written in, by its function words: English unless
/// Portuguese or German ones are more frequent.
pub fn language_of(texts: &[&str]) -> Language {
    let mut counts = [0usize; 3];
    let mut buf = String::new();
    for text in texts {
        tokens(text, &mut buf, &mut |t| {
            if let Token::Word(w) = t {
                for (n, l) in Language::ALL.iter().enumerate() {
                    if l.stop_words().binary_search(&w).is_ok() {
                        counts[n] += 1;
                    }
                }
            }
        });
    }
    let mut best = Language::English;
    let mut most = counts[0];
    for (n, l) in Language::ALL.iter().enumerate().skip(1) {
        if counts[n] > most {
            (best, most) = (*l, counts[n]);
        }
    }
    best
}

/// The three stemmers, made once per process.
pub struct Stemmers([Stemmer; 3]);

impl Default for Stemmers {
    fn default() -> Self {
        Stemmers(Language::ALL.map(|l| Stemmer::create(l.algorithm())))
    }
}

impl Stemmers {
    /// The stem of a lowered word in `language`. Words with digits, and words of other
    /// scripts, are their own stems.
    pub fn stem<'a>(&self, language: Language, word: &'a str) -> std::borrow::Cow<'a, str> {
        if word.len() < 4 || word.bytes().any(|b| b.is_ascii_digit()) || !latin(word) {
            return std::borrow::Cow::Borrowed(word);
        }
        let n = Language::ALL
            .iter()
            .position(|l| *l == language)
            .expect("a language");
        self.0[n].stem(word)
    }
}

/// Whether a word is written in Latin letters (with any accents).
fn latin(word: &str) -> bool {
    word.chars()
        .all(|c| c.is_ascii() || ('\u{C0}'..='\u{24F}').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        tokens(text, &mut String::new(), &mut |t| {
            out.push(match t {
                Token::Word(w) => w.to_owned(),
                Token::Cjk(r) => format!("[{r}]"),
            })
        });
        out
    }

    #[test]
    fn words_runs_and_pairs() {
        assert_eq!(
            all("Don't run `cargo test` — 解析错误 in Überblick, x 42'"),
            [
                "don't",
                "run",
                "cargo",
                "test",
                "[解析错误]",
                "in",
                "überblick",
                "42"
            ]
        );
        let mut pairs = Vec::new();
        cjk_pairs("解析错误", &mut |p| pairs.push(p.to_owned()));
        assert_eq!(pairs, ["解析", "析错", "错误"]);
        pairs.clear();
        cjk_pairs("图", &mut |p| pairs.push(p.to_owned()));
        assert_eq!(pairs, ["图"]);
    }

    #[test]
    fn the_lists_are_sorted_so_that_lookups_find_them() {
        for l in Language::ALL {
            assert!(l.stop_words().windows(2).all(|w| w[0] < w[1]), "{l:?}");
        }
        assert!(is_stop_word("the") && is_stop_word("não") && is_stop_word("über"));
        assert!(!is_stop_word("cargo"));
        for list in [WEAK_ENGLISH, WEAK_PORTUGUESE, WEAK_GERMAN, WEAK_CJK] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
        assert!(
            is_weak("update") && is_weak("atualizar") && is_weak("hinzufügen") && is_weak("添加")
        );
        assert!(!is_weak("openpyxl"));
    }

    #[test]
    fn language_and_stems() {
        assert_eq!(
            language_of(&["the build fails when the cache is cold"]),
            Language::English
        );
        assert_eq!(
            language_of(&["o build falha quando não há cache"]),
            Language::Portuguese
        );
        assert_eq!(
            language_of(&["der Build schlägt fehl, wenn der Cache leer ist"]),
            Language::German
        );
        let s = Stemmers::default();
        assert_eq!(s.stem(Language::English, "deploying"), "deploy");
        assert_eq!(s.stem(Language::English, "deployment"), "deploy");
        assert_eq!(s.stem(Language::Portuguese, "planilhas"), "planilh");
        assert_eq!(s.stem(Language::German, "reparieren"), "repari");
        assert_eq!(s.stem(Language::English, "v8"), "v8");
    }
}
