//! Text widths without a font file: the advance widths of DejaVu Sans (the
//! first font the SVG asks for; Verdana has about the same, Arial is
//! narrower), so boxes are sized before any renderer sees them.

/// Advance widths of ASCII 32..=126 in thousandths of an em (DejaVu Sans).
const WIDTHS: [u16; 95] = [
    318, 400, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318,
    337, // ' '..'/'
    636, 636, 636, 636, 636, 636, 636, 636, 636, 636, // '0'..'9'
    337, 337, 838, 838, 838, 531, 1000, // ':'..'@'
    684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635,
    611, 732, 684, 989, 685, 611, 685, // 'A'..'Z'
    390, 337, 390, 838, 500, 500, // '['..'`'
    613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521,
    392, 634, 592, 818, 592, 592, 525, // 'a'..'z'
    636, 337, 636, 838, // '{'..'~'
];

/// The width of `s` at `size` pixels; bold is about 10% wider.
pub fn width(s: &str, size: f64, bold: bool) -> f64 {
    let units: u32 = s
        .chars()
        .map(|c| match c {
            ' '..='~' => WIDTHS[c as usize - 32] as u32,
            '·' => 318,
            '—' | '…' => 1000,
            _ => 800,
        })
        .sum();
    let w = units as f64 / 1000.0 * size;
    if bold {
        w * 1.1
    } else {
        w
    }
}

/// Whether a character may not be shown as it is in a drawing: what the
/// reports never print raw ([`crate::report::text::is_unsafe`]: controls,
/// bidirectional overrides and isolates, line and paragraph separators),
/// tab and newline (a label is one line), and the noncharacters XML forbids.
fn hidden(c: char) -> bool {
    crate::report::text::is_unsafe(c) || matches!(c, '\t' | '\n' | '\u{FFFE}' | '\u{FFFF}')
}

/// Text that is safe to draw in every format: tabs and line breaks become
/// spaces, every other [`hidden`] character U+FFFD, so that what the
/// diagram shows is what the file says, visibly.
pub fn visible(s: &str) -> String {
    if !s.chars().any(hidden) {
        return s.to_string();
    }
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => ' ',
            c if hidden(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn widths_grow_with_text_and_size() {
        assert!(super::width("lb-01", 13.0, false) > super::width("lb-0", 13.0, false));
        assert!(super::width("lb-01", 13.0, true) > super::width("lb-01", 13.0, false));
        assert_eq!(super::width("", 13.0, false), 0.0);
    }

    #[test]
    fn controls_and_bidi_are_made_visible() {
        assert_eq!(super::visible("plain · text"), "plain · text");
        assert_eq!(
            super::visible("a\u{1b}[2Jb\u{7}c\td\u{202e}e\u{85}f\u{fffe}"),
            "a\u{fffd}[2Jb\u{fffd}c d\u{fffd}e\u{fffd}f\u{fffd}"
        );
    }
}
