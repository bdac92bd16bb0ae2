//! Line numbers of byte offsets, for the loaders' messages: the text's line ends found in
//! one pass, then each lookup a binary search.
//!
//! Counting the line ends before an offset for each example instead (`text[..offset]`
//! scanned again from the start) made loading quadratic in the file's lines: 80,000 lines
//! took two minutes (issue #22).

/// Where a text's lines end, to give the line of any byte offset.
pub(super) struct LineIndex {
    /// Byte offset of every `\n`, ascending.
    newlines: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`'s line ends: one pass over its bytes.
    pub(super) fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        scanned(bytes.len());
        LineIndex {
            newlines: (0..bytes.len()).filter(|&i| bytes[i] == b'\n').collect(),
        }
    }

    /// The 1-based line holding byte `offset`: one plus the line ends before it. A `\n`
    /// belongs to the line it ends; an offset at or past the end is on the last line.
    pub(super) fn line(&self, offset: usize) -> usize {
        1 + self.newlines.partition_point(|&nl| nl < offset)
    }
}

#[cfg(test)]
thread_local! {
    /// Bytes of data files read to find line numbers in this thread since the last call of
    /// [`take_scanned`]: what the tests count to show that it is done once per file, not
    /// once per example.
    static SCANNED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts `n` bytes read to find line numbers (in tests; nothing otherwise).
#[inline]
pub(super) fn scanned(n: usize) {
    #[cfg(test)]
    SCANNED.with(|s| s.set(s.get() + n));
    #[cfg(not(test))]
    let _ = n;
}

/// The bytes counted by [`scanned`] in this thread since the last call, and a fresh count.
#[cfg(test)]
pub(super) fn take_scanned() -> usize {
    SCANNED.with(|s| s.replace(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_offsets_by_hand() {
        // Offsets: "ab\n" 0-2, "\n" 3, "cd\r\n" 4-7, "e" 8.
        let text = "ab\n\ncd\r\ne";
        let index = LineIndex::new(text);
        assert_eq!(index.newlines, [2, 3, 7]);
        let lines: Vec<usize> = (0..=text.len() + 2).map(|o| index.line(o)).collect();
        assert_eq!(lines, [1, 1, 1, 2, 3, 3, 3, 3, 4, 4, 4, 4]);
        assert_eq!(take_scanned(), text.len());
    }

    #[test]
    fn no_line_ends() {
        for text in ["", "one line, no end"] {
            let index = LineIndex::new(text);
            assert_eq!(index.line(0), 1);
            assert_eq!(index.line(text.len()), 1);
        }
        let index = LineIndex::new("\n");
        assert_eq!((index.line(0), index.line(1)), (1, 2));
    }

    #[test]
    fn agrees_with_counting_from_the_start() {
        let text = "text\tlabel\r\nё good\t1\n\n\r\nbad\t0\n\nx";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() {
            let counted = 1 + text.as_bytes()[..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            assert_eq!(index.line(offset), counted, "offset {offset}");
        }
    }
}
