//! Added and deleted line counts of one file change, equal to `git log --numstat`.
//!
//! The diff itself is gitoxide's Myers (`gix-imara-diff`), which reproduces git's
//! xdiff: it trims the common prefix and suffix lines, classifies the lines left in the
//! middle by how often they occur in the *complete* files (`xdl_cleanup_records()`),
//! and searches only the middle. Interning both complete files into one table was the
//! largest cost of mining after inflation, although typically a handful of lines in the
//! middle differ.
//!
//! So this module hands the diff token sequences that it cannot tell apart from the
//! interned files, at a fraction of the cost:
//! - the common prefix and suffix lines are found by comparing bytes, not tokens;
//! - only the middle lines are interned;
//! - a prefix or suffix line becomes the token of the equal middle line when there is
//!   one, and otherwise one shared filler token that never occurs in the middle.
//!
//! The sequences keep the files' lengths, the prefix and suffix stay equal on both
//! sides, the first and last middle lines still differ, and every middle token keeps
//! its count over the complete files. Those are all the diff reads, so its result is
//! the same as on the fully interned files; the property test below checks exactly
//! that against the untouched path, for all three algorithms.

use gix::diff::blob::{Algorithm, Diff, Token};

/// Reusable buffers for line counting; one per worker thread.
#[derive(Default)]
pub(crate) struct LineCounter {
    before: Vec<Token>,
    after: Vec<Token>,
    mid_before: Vec<Token>,
    mid_after: Vec<Token>,
    diff: Diff,
}

/// Up to this many distinct middle lines, the ends are searched for them instead of
/// split into lines.
const FEW_LINES: usize = 16;

/// The token given to prefix and suffix lines that equal no middle line.
const FILLER: Token = Token(0);

/// Lines in `data` as git counts them: every `\n` ends one, and a final line
/// without a terminator counts too.
pub(crate) fn count_lines(data: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', data).count() as u64
        + u64::from(data.last().is_some_and(|&b| b != b'\n'))
}

/// Bytes `a` and `b` share at their start.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// Bytes `a` and `b` share at their end.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let n = a.len().min(b.len());
    let (la, lb) = (a.len(), b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[la - i - BLOCK..la - i] == b[lb - i - BLOCK..lb - i] {
        i += BLOCK;
    }
    while i < n && a[la - i - 1] == b[lb - i - 1] {
        i += 1;
    }
    i
}

/// The lines of `data`, each with its terminator, as `gix-imara-diff`'s byte lines.
fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = data;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        let (line, tail) = rest.split_at(end);
        rest = tail;
        Some(line)
    })
}

/// Line lengths of the middle lines, to skip hashing prefix and suffix lines that
/// cannot equal any of them.
struct Lengths {
    short: [u64; 64],
    any_long: bool,
}

impl Lengths {
    const SHORT: usize = 64 * 64;

    fn new() -> Self {
        Lengths {
            short: [0; 64],
            any_long: false,
        }
    }

    fn insert(&mut self, len: usize) {
        if len < Self::SHORT {
            self.short[len / 64] |= 1 << (len % 64);
        } else {
            self.any_long = true;
        }
    }

    fn may_contain(&self, len: usize) -> bool {
        if len < Self::SHORT {
            self.short[len / 64] & (1 << (len % 64)) != 0
        } else {
            self.any_long
        }
    }
}

impl LineCounter {
    /// Added and deleted lines between two texts, counting lines with their
    /// terminators so that `\r\n` vs `\n` and a missing final newline are changes, as
    /// in git.
    pub(crate) fn count<'d>(
        &mut self,
        algorithm: Algorithm,
        old: &'d [u8],
        new: &'d [u8],
    ) -> (u64, u64) {
        let prefix_bytes = common_prefix(old, new);
        if prefix_bytes == old.len() && prefix_bytes == new.len() {
            return (0, 0);
        }
        // Whole lines only: the prefix ends after the last newline both share.
        let prefix = memchr::memrchr(b'\n', &old[..prefix_bytes]).map_or(0, |i| i + 1);
        let (a, b) = (&old[prefix..], &new[prefix..]);
        let tail = common_suffix(a, b);
        let suffix = suffix_lines(a, b, tail);
        let (a_mid, b_mid) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
        if a_mid.is_empty() {
            return (count_lines(b_mid), 0);
        }
        if b_mid.is_empty() {
            return (0, count_lines(a_mid));
        }

        // Sized for every middle line up front: growing the table rehashed it several
        // times for the large middles (rewritten or reformatted files) that dominate.
        let middle_lines = (count_lines(a_mid) + count_lines(b_mid)) as usize;
        let mut table: std::collections::HashMap<&'d [u8], Token, foldhash::fast::FixedState> =
            std::collections::HashMap::with_capacity_and_hasher(middle_lines, Default::default());
        let mut lengths = Lengths::new();
        let mut intern = |line: &'d [u8]| -> Token {
            let next = Token(table.len() as u32 + 1);
            *table.entry(line).or_insert_with(|| {
                lengths.insert(line.len());
                next
            })
        };
        let (before, after) = (&mut self.before, &mut self.after);
        let (mid_before, mid_after) = (&mut self.mid_before, &mut self.mid_after);
        before.clear();
        after.clear();
        mid_before.clear();
        mid_after.clear();
        mid_before.extend(lines(a_mid).map(&mut intern));
        mid_after.extend(lines(b_mid).map(&mut intern));
        let num_tokens = table.len() as u32 + 1;
        let (prefix_part, suffix_part) = (&old[..prefix], &a[a.len() - suffix..]);
        if table.len() <= FEW_LINES {
            // Few distinct middle lines (the common case: a small edit in a large
            // file): where the ends' lines sit does not matter, since the ends are
            // stripped before anything positional, only how many equal each middle
            // line. Searching for those few lines beats splitting every line.
            for (part, at_middle) in [(prefix_part, true), (suffix_part, false)] {
                let mut placed = 0;
                for (line, &token) in &table {
                    let n = occurrences(part, line);
                    placed += n;
                    for _ in 0..n {
                        before.push(token);
                        after.push(token);
                    }
                }
                let filler = count_lines(part) as usize - placed;
                before.resize(before.len() + filler, FILLER);
                after.resize(after.len() + filler, FILLER);
                if at_middle {
                    before.extend_from_slice(mid_before);
                    after.extend_from_slice(mid_after);
                }
            }
        } else {
            let known = |line: &[u8]| -> Token {
                if lengths.may_contain(line.len()) {
                    table.get(line).copied().unwrap_or(FILLER)
                } else {
                    FILLER
                }
            };
            for line in lines(prefix_part) {
                let token = known(line);
                before.push(token);
                after.push(token);
            }
            before.extend_from_slice(mid_before);
            after.extend_from_slice(mid_after);
            for line in lines(suffix_part) {
                let token = known(line);
                before.push(token);
                after.push(token);
            }
        }
        self.diff
            .compute_with(algorithm, &self.before, &self.after, num_tokens);
        (
            u64::from(self.diff.count_additions()),
            u64::from(self.diff.count_removals()),
        )
    }
}

/// How many whole lines of `part` equal `line` (a line with its terminator, or the
/// unterminated last line of a file).
fn occurrences(part: &[u8], line: &[u8]) -> usize {
    let starts_line = |at: usize| at == 0 || part[at - 1] == b'\n';
    if line.last() != Some(&b'\n') {
        // Only the last line of a file lacks a terminator.
        return usize::from(part.ends_with(line) && starts_line(part.len() - line.len()));
    }
    // A match that is not at a line start ends at a newline, so it cannot hide a
    // whole-line match that overlaps it.
    memchr::memmem::find_iter(part, line)
        .filter(|&at| starts_line(at))
        .count()
}

/// Bytes of the whole lines that end both `a` and `b`, given the `tail` bytes they
/// share at their end: the longest shared tail that starts a line in both.
fn suffix_lines(a: &[u8], b: &[u8], tail: usize) -> usize {
    let starts_line =
        |data: &[u8], len: usize| len == data.len() || data[data.len() - len - 1] == b'\n';
    if starts_line(a, tail) && starts_line(b, tail) {
        return tail;
    }
    // Inside the shared tail both sides have the same bytes, so the first newline in
    // it ends the last line that is not shared whole.
    match memchr::memchr(b'\n', &a[a.len() - tail..]) {
        Some(i) => tail - i - 1,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gix::diff::blob::InternedInput;

    /// The diff on fully interned files, as gitoxide's `line_counts` would run it but
    /// with terminators kept.
    fn reference(algorithm: Algorithm, old: &[u8], new: &[u8]) -> (u64, u64) {
        let input = InternedInput::new(old, new);
        let diff = Diff::compute(algorithm, &input);
        (
            u64::from(diff.count_additions()),
            u64::from(diff.count_removals()),
        )
    }

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
    }

    /// A text of `lines` lines drawn from a vocabulary of `words` distinct lines, of
    /// which the first few (blank lines, braces, terminator variants) are frequent.
    /// Small vocabularies give ambiguous matches; large ones give lines unique to one
    /// side, whose counts in the trimmed ends decide git's pruning.
    fn text(rng: &mut Rng, lines: usize, words: u64) -> Vec<u8> {
        const FREQUENT: &[&[u8]] = &[b"\n", b"}\n", b"a\r\n", b"\r", b"x", b"\t}\n"];
        let mut out = Vec::new();
        for _ in 0..lines {
            let pick = rng.next() % (words + FREQUENT.len() as u64);
            match FREQUENT.get(pick as usize) {
                Some(line) => out.extend_from_slice(line),
                None => out.extend_from_slice(format!("line {pick}\n").as_bytes()),
            }
        }
        out
    }

    /// Applies one to three random edits (replace a range of bytes with random text).
    fn edit(rng: &mut Rng, old: &[u8], words: u64) -> Vec<u8> {
        let mut new = old.to_vec();
        for _ in 0..1 + rng.next() % 3 {
            let at = rng.next() as usize % (new.len() + 1);
            let end = (at + rng.next() as usize % 40).min(new.len());
            let count = rng.next() as usize % 12;
            // Half the edits bring lines the other side does not have.
            let vocabulary = if rng.next().is_multiple_of(2) {
                words
            } else {
                1000
            };
            let insert = text(rng, count, vocabulary);
            new.splice(at..end, insert);
        }
        new
    }

    #[test]
    fn counts_equal_the_diff_of_fully_interned_files() {
        let mut rng = Rng(7);
        let mut counter = LineCounter::default();
        for case in 0..20_000 {
            let words = [2, 6, 40, 400][case % 4];
            let old = text(&mut rng, (case * 7) % 601, words);
            let new = match case % 11 {
                0 => Vec::new(),
                1 => text(&mut rng, case % 13, words),
                _ => edit(&mut rng, &old, words),
            };
            let (old, new) = if case % 2 == 0 {
                (old, new)
            } else {
                (new, old)
            };
            for algorithm in [
                Algorithm::Myers,
                Algorithm::MyersMinimal,
                Algorithm::Histogram,
            ] {
                assert_eq!(
                    counter.count(algorithm, &old, &new),
                    reference(algorithm, &old, &new),
                    "case {case}, {algorithm:?}: {:?} -> {:?}",
                    String::from_utf8_lossy(&old),
                    String::from_utf8_lossy(&new)
                );
            }
        }
    }

    #[test]
    fn frequent_lines_in_the_trimmed_ends_still_count() {
        // `}` occurs hundreds of times in the shared ends, so git counts it as common
        // and prunes the one between unmatched lines in the middle; counted in the
        // middle only, it would be matched instead (8 deletions and 1 addition).
        let ends = "}\nkeep\n".repeat(300);
        let old = format!("{ends}u1\nu2\nu3\nu4\n}}\nu5\nu6\nu7\nu8\n{ends}");
        let new = format!("{ends}}}\nv1\n{ends}");
        let mut counter = LineCounter::default();
        let counts = counter.count(Algorithm::Myers, old.as_bytes(), new.as_bytes());
        assert_eq!(
            counts,
            reference(Algorithm::Myers, old.as_bytes(), new.as_bytes())
        );
        assert_eq!(counts, (2, 9));
    }

    #[test]
    fn line_terminators_count_as_changes() {
        let mut c = LineCounter::default();
        let myers = Algorithm::Myers;
        assert_eq!(c.count(myers, b"a\nb", b"a\nb\n"), (1, 1));
        assert_eq!(c.count(myers, b"a\r\nb\r\n", b"a\nb\n"), (2, 2));
        assert_eq!(c.count(myers, b"", b"a\nb"), (2, 0));
        assert_eq!(c.count(myers, b"a\n", b""), (0, 1));
        assert_eq!(c.count(myers, b"same\n", b"same\n"), (0, 0));
        assert_eq!(c.count(myers, b"x\na\n", b"y\na\n"), (1, 1));
        assert_eq!(c.count(myers, b"a\nb\n", b"a\nb\nc"), (1, 0));
    }

    #[test]
    fn lines_are_counted_as_git_counts_them() {
        assert_eq!(count_lines(b""), 0);
        assert_eq!(count_lines(b"a"), 1);
        assert_eq!(count_lines(b"a\n"), 1);
        assert_eq!(count_lines(b"a\nb"), 2);
        assert_eq!(count_lines(b"\n\n"), 2);
    }
}
