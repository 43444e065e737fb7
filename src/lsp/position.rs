//! LSP positions: 0-based lines and columns counted in UTF-16 code units
//! (the protocol's default encoding), converted to and from byte offsets.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as in `report/position.rs`.
//! A line that is all ASCII converts in constant time; any other line costs
//! one scan of its text.

use lsp_types::{Position, Range};

/// Where each line starts, and whether it is ASCII.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset of the first character of each line.
    starts: Vec<usize>,
    /// `ascii[l]`: line `l` holds only ASCII bytes.
    ascii: Vec<bool>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut ascii = Vec::new();
        let mut line_ascii = true;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' | b'\r' => {
                    if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    starts.push(i + 1);
                    ascii.push(line_ascii);
                    line_ascii = true;
                }
                b => line_ascii &= b.is_ascii(),
            }
            i += 1;
        }
        ascii.push(line_ascii);
        LineIndex { starts, ascii }
    }

    /// Number of lines (a text ending in a newline has an empty last line).
    pub fn lines(&self) -> usize {
        self.starts.len()
    }

    /// The bytes of line `l` without its line ending.
    fn line<'t>(&self, text: &'t str, l: usize) -> &'t str {
        let start = self.starts[l];
        let end = self.starts.get(l + 1).copied().unwrap_or(text.len());
        text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// The position of byte `offset` (clamped to the text, and back to the
    /// start of a character).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let l = self.starts.partition_point(|&s| s <= offset) - 1;
        let line = self.line(text, l);
        let within = (offset - self.starts[l]).min(line.len());
        let character = if self.ascii[l] {
            within
        } else {
            line[..within].encode_utf16().count()
        };
        Position::new(l as u32, character as u32)
    }

    /// The range of bytes `start..end`.
    pub fn range(&self, text: &str, start: usize, end: usize) -> Range {
        Range::new(self.position(text, start), self.position(text, end))
    }

    /// The byte offset of `pos`. As the protocol says, a column past the end
    /// of its line means the end of the line; a line past the last means the
    /// end of the text. A column inside a surrogate pair means the character
    /// it belongs to.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let l = pos.line as usize;
        if l >= self.starts.len() {
            return text.len();
        }
        let line = self.line(text, l);
        let want = pos.character as usize;
        let within = if self.ascii[l] {
            want.min(line.len())
        } else {
            let mut units = 0;
            let mut at = line.len();
            for (i, c) in line.char_indices() {
                if units >= want {
                    at = i;
                    break;
                }
                units += c.len_utf16();
                if units > want {
                    at = i;
                    break;
                }
            }
            at
        };
        self.starts[l] + within
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_round_trips() {
        let text = "stack a\nserver web-01 role=web\n";
        let ix = LineIndex::new(text);
        assert_eq!(ix.lines(), 3);
        assert_eq!(ix.position(text, 8), Position::new(1, 0));
        assert_eq!(ix.position(text, 15), Position::new(1, 7));
        assert_eq!(ix.offset(text, Position::new(1, 7)), 15);
        assert_eq!(ix.position(text, text.len()), Position::new(2, 0));
    }

    #[test]
    fn utf16_counts_surrogate_pairs_and_crlf() {
        let text = "# é😀x\r\nserver a\rb";
        let ix = LineIndex::new(text);
        // "# " 2 units, "é" 1, "😀" 2: x starts at unit 5.
        let x = text.find('x').unwrap();
        assert_eq!(ix.position(text, x), Position::new(0, 5));
        assert_eq!(ix.offset(text, Position::new(0, 5)), x);
        // Inside the surrogate pair: the emoji itself.
        assert_eq!(
            ix.offset(text, Position::new(0, 4)),
            text.find('😀').unwrap()
        );
        assert_eq!(
            ix.position(text, text.find("server").unwrap()),
            Position::new(1, 0)
        );
        assert_eq!(ix.position(text, text.len() - 1), Position::new(2, 0));
    }

    #[test]
    fn past_the_end_clamps() {
        let text = "ab\ncd";
        let ix = LineIndex::new(text);
        assert_eq!(ix.offset(text, Position::new(0, 99)), 2);
        assert_eq!(ix.offset(text, Position::new(9, 0)), text.len());
        assert_eq!(ix.position(text, 999), Position::new(1, 2));
        // Inside a multi-byte character: back to its start.
        let t = "é";
        assert_eq!(LineIndex::new(t).position(t, 1), Position::new(0, 0));
    }
}
