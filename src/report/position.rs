//! The one position model of every report format: a byte offset into the
//! source becomes a 1-based line and a 1-based column.
//!
//! - A line ends at `\n`, at `\r\n` or at a lone `\r`.
//! - A byte-order mark at the start of the file is not a column: the first
//!   character after it is column 1.
//! - Columns count Unicode scalar values (what SARIF calls
//!   `unicodeCodePoints`), not bytes and not UTF-16 units. A tab is one
//!   column.
//!
//! The human report, JSON, SARIF and GitHub annotations all ask this module,
//! so they agree on every file.

/// Characters (scalar values) are counted with a prefix table over blocks of
/// this many bytes, so a column costs at most one block's scan even on a
/// line of megabytes.
const BLOCK: usize = 64;

/// The lines of a source and a character count table.
pub struct Positions<'a> {
    src: &'a str,
    /// Byte offset where each line's text starts.
    starts: Vec<usize>,
    /// `chars[k]`: scalar values that start in `src[..k * BLOCK]`.
    chars: Vec<u32>,
    /// Length of the leading byte-order mark (0 or 3).
    bom: usize,
}

/// UTF-8 continuation bytes do not start a character.
fn starts_char(b: u8) -> bool {
    (b as i8) >= -0x40
}

impl<'a> Positions<'a> {
    pub fn new(src: &'a str) -> Self {
        let bytes = src.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    starts.push(i + 1);
                }
                _ => {}
            }
            i += 1;
        }
        let mut chars = Vec::with_capacity(bytes.len() / BLOCK + 1);
        let mut n = 0u32;
        chars.push(0);
        for block in bytes.chunks(BLOCK) {
            n += block.iter().filter(|b| starts_char(**b)).count() as u32;
            chars.push(n);
        }
        let bom = if src.starts_with('\u{feff}') { 3 } else { 0 };
        Positions {
            src,
            starts,
            chars,
            bom,
        }
    }

    /// The source this index is over.
    pub fn source(&self) -> &'a str {
        self.src
    }

    /// Scalar values that start in `src[..offset]`.
    fn chars_before(&self, offset: usize) -> usize {
        let k = offset / BLOCK;
        let base = self.chars[k] as usize;
        base + self.src.as_bytes()[k * BLOCK..offset]
            .iter()
            .filter(|b| starts_char(**b))
            .count()
    }

    /// Scalar values in `src[a..b]` (`a <= b`, both clamped to the source).
    pub fn chars_between(&self, a: usize, b: usize) -> usize {
        let (a, b) = (a.min(self.src.len()), b.min(self.src.len()));
        if b <= a {
            return 0;
        }
        self.chars_before(b) - self.chars_before(a)
    }

    /// Number of lines (a file is at least one, possibly empty, line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The 0-based line an offset is on. An offset inside a line break
    /// (between `\r` and `\n`) belongs to the line the break ends.
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.src.len());
        self.starts.partition_point(|s| *s <= offset) - 1
    }

    /// Byte range of a 0-based line's text, without its line break and,
    /// for the first line, without the byte-order mark.
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let start = self.starts[line];
        let start = if line == 0 { start + self.bom } else { start };
        let end = match self.starts.get(line + 1) {
            Some(next) => {
                let b = self.src.as_bytes();
                let mut e = *next;
                if e > start && b[e - 1] == b'\n' {
                    e -= 1;
                }
                if e > start && b[e - 1] == b'\r' {
                    e -= 1;
                }
                e
            }
            None => self.src.len(),
        };
        start..end.max(start)
    }

    /// 1-based line and column of a byte offset. The offset is clamped to
    /// the source; an offset inside a character or a line break counts as
    /// the position of that character or the end of that line.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.src.len());
        let line = self.line_of(offset);
        let range = self.line_range(line);
        let mut at = offset.clamp(range.start, range.end);
        while !self.src.is_char_boundary(at) {
            at -= 1;
        }
        (line + 1, self.chars_between(range.start, at) + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::Positions;

    #[test]
    fn lines_end_at_lf_crlf_and_lone_cr() {
        for src in ["a\nbc\nd", "a\r\nbc\r\nd", "a\rbc\rd", "a\nbc\r\nd"] {
            let p = Positions::new(src);
            let d = src.find('d').unwrap();
            assert_eq!(p.line_col(d), (3, 1), "{src:?}");
            let c = src.find('c').unwrap();
            assert_eq!(p.line_col(c), (2, 2), "{src:?}");
            assert_eq!(p.line_count(), 3);
            assert_eq!(&src[p.line_range(1)], "bc", "{src:?}");
        }
    }

    #[test]
    fn columns_count_scalar_values_and_skip_the_bom() {
        let src = "\u{feff}é日x\n😀y";
        let p = Positions::new(src);
        assert_eq!(p.line_col(3), (1, 1), "the BOM is not a column");
        assert_eq!(p.line_col(src.find('x').unwrap()), (1, 3));
        assert_eq!(p.line_col(src.find('y').unwrap()), (2, 2));
        assert_eq!(p.line_col(0), (1, 1), "an offset in the BOM is column 1");
        assert_eq!(&src[p.line_range(0)], "é日x");
    }

    #[test]
    fn offsets_inside_characters_and_breaks_are_clamped() {
        let src = "é\r\nx";
        let p = Positions::new(src);
        assert_eq!(p.line_col(1), (1, 1), "inside é");
        assert_eq!(p.line_col(3), (1, 2), "between CR and LF: end of line 1");
        assert_eq!(p.line_col(99), (2, 2), "past the end");
        assert_eq!(Positions::new("").line_col(0), (1, 1));
    }

    #[test]
    fn long_lines_count_through_the_block_table() {
        let line: String = "é".repeat(1000) + "x";
        let p = Positions::new(&line);
        assert_eq!(p.line_col(line.len() - 1), (1, 1001));
        assert_eq!(p.chars_between(10, 2000), 995);
    }
}
