//! Which lines of a markdown file are live text, and which are hidden in a fenced code block
//! or an HTML comment, where agents keep their templates.
//!
//! The reader (which finds entries) and the entry view (which finds fields and sections) must
//! agree on this line for line, or an edit made through one could move what the other sees;
//! so both walk their lines through this one [`Blocks`] tracker. Fences follow CommonMark:
//! `` ``` `` or `~~~`, three or more, up to three spaces of indentation, closed by the same character
//! at least as long with nothing after it. A comment opens at a line starting `<!--` and ends
//! at the first line holding `-->`.

use crate::format::id::header_id;

/// An open fenced code block: the fence character and the run length.
#[derive(Debug, Clone, Copy)]
struct Fence {
    ch: u8,
    len: usize,
}

#[derive(Debug, Clone, Copy, Default)]
enum State {
    #[default]
    Live,
    Fenced(Fence),
    Comment,
}

/// What one line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line {
    /// Live text, neither opening nor closing a block.
    Live,
    /// Inside a block, or the line that opens or closes one.
    Hidden,
    /// A closing fence with an entry header glued to it (```` ```## [ERR-…] ````), a shape
    /// seen in the wild: the fence closes and the header starts at this offset.
    Glued(usize),
}

/// Walks the lines of a file in order and says of each whether it is live.
#[derive(Debug, Clone, Default)]
pub(crate) struct Blocks {
    state: State,
}

impl Blocks {
    /// Classifies `line` (without its line ending) and moves past it.
    #[inline]
    pub(crate) fn step(&mut self, line: &[u8]) -> Line {
        // Most lines are prose: only these first bytes can open a block. Settled here, inline
        // in every caller's line loop; the rest is out of line.
        if matches!(self.state, State::Live)
            && !matches!(line.first(), Some(b'`' | b'~' | b'<' | b' '))
        {
            return Line::Live;
        }
        self.step_slow(line)
    }

    /// Where in `hay` the next line that could change the state may be: the first byte such
    /// a line must hold (a fence or comment opener, this fence's character, or `-->`).
    /// Every line before it would leave the state as it is, so a caller that only needs the
    /// state at the end may skip them.
    pub(crate) fn next_change(&self, hay: &[u8]) -> Option<usize> {
        match self.state {
            State::Live => memchr::memchr3(b'`', b'~', b'<', hay),
            State::Fenced(fence) => memchr::memchr(fence.ch, hay),
            State::Comment => memchr::memmem::find(hay, b"-->"),
        }
    }

    #[inline(never)]
    fn step_slow(&mut self, line: &[u8]) -> Line {
        match self.state {
            State::Fenced(fence) => match closing_fence(line, fence) {
                Closing::No => Line::Hidden,
                Closing::Yes => {
                    self.state = State::Live;
                    Line::Hidden
                }
                Closing::Glued(at) => {
                    self.state = State::Live;
                    Line::Glued(at)
                }
            },
            State::Comment => {
                if contains(line, b"-->") {
                    self.state = State::Live;
                }
                Line::Hidden
            }
            State::Live => {
                if let Some(fence) = opening_fence(line) {
                    self.state = State::Fenced(fence);
                    Line::Hidden
                } else if opens_comment(line) {
                    self.state = State::Comment;
                    Line::Hidden
                } else {
                    Line::Live
                }
            }
        }
    }

    /// Whether the lines so far end inside a block.
    pub(crate) fn is_open(&self) -> bool {
        !matches!(self.state, State::Live)
    }

    /// The line that would close the block the lines so far end in.
    pub(crate) fn closer(&self) -> Option<String> {
        match self.state {
            State::Live => None,
            State::Fenced(fence) => Some(char::from(fence.ch).to_string().repeat(fence.len)),
            State::Comment => Some("-->".to_owned()),
        }
    }
}

/// What closes the block `text` leaves open when read from live text: `None` when it leaves
/// none open.
pub(crate) fn closer_after(text: &str) -> Option<String> {
    let mut blocks = Blocks::default();
    for line in text.split('\n') {
        blocks.step(line.strip_suffix('\r').unwrap_or(line).as_bytes());
    }
    blocks.closer()
}

/// Up to three spaces of indentation, as CommonMark allows before a fence.
fn indent(line: &[u8]) -> usize {
    line.iter().take(4).take_while(|&&b| b == b' ').count()
}

fn opening_fence(line: &[u8]) -> Option<Fence> {
    let ind = indent(line);
    if ind > 3 {
        return None;
    }
    let ch = *line.get(ind)?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = line[ind..].iter().take_while(|&&b| b == ch).count();
    // A backtick fence's info string may not hold a backtick (CommonMark 4.5).
    if len < 3 || (ch == b'`' && line[ind + len..].contains(&b'`')) {
        return None;
    }
    Some(Fence { ch, len })
}

enum Closing {
    No,
    Yes,
    /// A closing fence followed by an entry header; the header starts at this offset.
    Glued(usize),
}

fn closing_fence(line: &[u8], fence: Fence) -> Closing {
    let ind = indent(line);
    if ind > 3 {
        return Closing::No;
    }
    let run = line[ind..].iter().take_while(|&&b| b == fence.ch).count();
    if run < fence.len {
        return Closing::No;
    }
    let rest = &line[ind + run..];
    if rest.iter().all(|b| *b == b' ' || *b == b'\t') {
        Closing::Yes
    } else if header_id(rest).is_some() {
        Closing::Glued(ind + run)
    } else {
        Closing::No
    }
}

/// A line that starts an HTML comment which does not end on the same line.
fn opens_comment(line: &[u8]) -> bool {
    let ind = indent(line);
    ind <= 3 && line[ind..].starts_with(b"<!--") && !contains(&line[ind + 4..], b"-->")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}
