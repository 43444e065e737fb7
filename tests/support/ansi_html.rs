//! A terminal screen, as `tmux capture-pane -e -p` prints it (text and SGR
//! colour sequences, attributes carried from one line to the next), turned
//! into one HTML page that draws it as the terminal did.

use std::fmt::Write;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Colour {
    Indexed(u8),
    Rgb(u8, u8, u8),
}

#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
struct Pen {
    fg: Option<Colour>,
    bg: Option<Colour>,
    underline_colour: Option<Colour>,
    bold: bool,
    dim: bool,
    italic: bool,
    underline: bool,
    reverse: bool,
    strike: bool,
}

/// The terminal's default foreground and background.
const FOREGROUND: (u8, u8, u8) = (0xd4, 0xd4, 0xd4);
const BACKGROUND: (u8, u8, u8) = (0x1e, 0x1e, 0x1e);

/// The 16 base colours (a common dark terminal palette), then xterm's
/// 6x6x6 cube and grey ramp.
fn rgb(c: Colour) -> (u8, u8, u8) {
    const BASE: [(u8, u8, u8); 16] = [
        (0x00, 0x00, 0x00),
        (0xcd, 0x31, 0x31),
        (0x0d, 0xbc, 0x79),
        (0xe5, 0xe5, 0x10),
        (0x24, 0x72, 0xc8),
        (0xbc, 0x3f, 0xbc),
        (0x11, 0xa8, 0xcd),
        (0xe5, 0xe5, 0xe5),
        (0x66, 0x66, 0x66),
        (0xf1, 0x4c, 0x4c),
        (0x23, 0xd1, 0x8b),
        (0xf5, 0xf5, 0x43),
        (0x3b, 0x8e, 0xea),
        (0xd6, 0x70, 0xd6),
        (0x29, 0xb8, 0xdb),
        (0xff, 0xff, 0xff),
    ];
    match c {
        Colour::Rgb(r, g, b) => (r, g, b),
        Colour::Indexed(i @ 0..=15) => BASE[i as usize],
        Colour::Indexed(i @ 16..=231) => {
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            let i = i - 16;
            (level(i / 36), level(i / 6 % 6), level(i % 6))
        }
        Colour::Indexed(i) => {
            let v = 8 + 10 * (i - 232);
            (v, v, v)
        }
    }
}

/// An extended colour (`5;N` or `2;R;G;B`) from the parameters after 38,
/// 48 or 58; advances `i` past what it read.
fn extended(params: &[u16], i: &mut usize) -> Option<Colour> {
    let kind = *params.get(*i + 1)?;
    let byte = |k: usize| params.get(k).map(|&v| v.min(255) as u8);
    match kind {
        5 => {
            let c = byte(*i + 2)?;
            *i += 2;
            Some(Colour::Indexed(c))
        }
        2 => {
            let c = Colour::Rgb(byte(*i + 2)?, byte(*i + 3)?, byte(*i + 4)?);
            *i += 4;
            Some(c)
        }
        _ => None,
    }
}

impl Pen {
    /// Applies one SGR sequence's parameters (`;`-separated; a `:`
    /// sub-parameter such as `4:3`, undercurl, counts as its head).
    fn apply(&mut self, params: &str) {
        let params: Vec<u16> = if params.is_empty() {
            vec![0]
        } else {
            params
                .split(';')
                .map(|p| p.split(':').next().unwrap_or("").parse().unwrap_or(0))
                .collect()
        };
        let mut i = 0;
        while i < params.len() {
            match params[i] {
                0 => *self = Pen::default(),
                1 => self.bold = true,
                2 => self.dim = true,
                3 => self.italic = true,
                4 => self.underline = true,
                7 => self.reverse = true,
                9 => self.strike = true,
                22 => (self.bold, self.dim) = (false, false),
                23 => self.italic = false,
                24 => self.underline = false,
                27 => self.reverse = false,
                29 => self.strike = false,
                n @ 30..=37 => self.fg = Some(Colour::Indexed((n - 30) as u8)),
                38 => self.fg = extended(&params, &mut i),
                39 => self.fg = None,
                n @ 40..=47 => self.bg = Some(Colour::Indexed((n - 40) as u8)),
                48 => self.bg = extended(&params, &mut i),
                49 => self.bg = None,
                58 => self.underline_colour = extended(&params, &mut i),
                59 => self.underline_colour = None,
                n @ 90..=97 => self.fg = Some(Colour::Indexed((n - 90 + 8) as u8)),
                n @ 100..=107 => self.bg = Some(Colour::Indexed((n - 100 + 8) as u8)),
                _ => {}
            }
            i += 1;
        }
    }

    fn style(&self) -> String {
        let (mut fg, mut bg) = (
            self.fg.map_or(FOREGROUND, rgb),
            self.bg.map_or(BACKGROUND, rgb),
        );
        if self.reverse {
            std::mem::swap(&mut fg, &mut bg);
        }
        let hex = |(r, g, b): (u8, u8, u8)| format!("#{r:02x}{g:02x}{b:02x}");
        let mut s = format!("color:{}", hex(fg));
        if bg != BACKGROUND {
            write!(s, ";background:{}", hex(bg)).unwrap();
        }
        if self.bold {
            s.push_str(";font-weight:bold");
        }
        if self.dim {
            s.push_str(";opacity:.7");
        }
        if self.italic {
            s.push_str(";font-style:italic");
        }
        match (self.underline, self.strike) {
            (true, true) => s.push_str(";text-decoration:underline line-through"),
            (true, false) => s.push_str(";text-decoration:underline"),
            (false, true) => s.push_str(";text-decoration:line-through"),
            (false, false) => {}
        }
        if let (true, Some(c)) = (self.underline, self.underline_colour) {
            write!(s, ";text-decoration-color:{}", hex(rgb(c))).unwrap();
        }
        s
    }
}

fn escape(text: &str, out: &mut String) {
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
}

/// The `<pre>` of a captured screen: one `<span>` per run of equal
/// attributes, every line padded to `columns` with blank cells (capture
/// with `-N` to keep the trailing cells' own colours).
pub fn screen(ansi: &str, columns: usize) -> String {
    let mut pen = Pen::default();
    let mut out = String::from("<pre id=\"screen\">");
    for line in ansi.lines() {
        let mut width = 0;
        let mut rest = line;
        loop {
            let (text, next) = match rest.find('\x1b') {
                Some(k) => (&rest[..k], Some(&rest[k..])),
                None => (rest, None),
            };
            if !text.is_empty() {
                width += text.chars().count();
                write!(out, "<span style=\"{}\">", pen.style()).unwrap();
                escape(text, &mut out);
                out.push_str("</span>");
            }
            let Some(seq) = next else { break };
            // CSI parameters, then the final byte; only SGR (`m`) draws.
            let body = seq.strip_prefix("\x1b[").unwrap_or(&seq[1..]);
            let end = body
                .find(|c: char| c.is_ascii_alphabetic() || c == '@' || c == '~')
                .unwrap_or(body.len());
            if body[end..].starts_with('m') {
                pen.apply(&body[..end]);
            }
            rest = &body[(end + 1).min(body.len())..];
        }
        if width < columns {
            write!(
                out,
                "<span style=\"{}\">{}</span>",
                Pen::default().style(),
                " ".repeat(columns - width)
            )
            .unwrap();
        }
        out.push('\n');
    }
    out.push_str("</pre>");
    out
}

/// A page with the screen alone, in DejaVu Sans Mono (Debian's
/// `fonts-dejavu-core`), nothing loaded from anywhere.
pub fn page(title: &str, ansi: &str, columns: usize) -> String {
    let (r, g, b) = BACKGROUND;
    let mut t = String::new();
    escape(title, &mut t);
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{t}</title>\n\
         <style>body{{margin:0;background:#{r:02x}{g:02x}{b:02x}}}\
         #screen{{display:inline-block;margin:0;padding:10px 12px;\
         font:15px/19px 'DejaVu Sans Mono',monospace}}\
         #screen span{{white-space:pre;display:inline-block;height:19px;vertical-align:top}}</style></head>\n<body>{}</body></html>\n",
        screen(ansi, columns)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_carry_across_lines_and_reset() {
        let html = screen("\x1b[31mred\nstill\x1b[0m plain", 0);
        assert!(html.contains("<span style=\"color:#cd3131\">red</span>"));
        assert!(html.contains("<span style=\"color:#cd3131\">still</span>"));
        assert!(html.contains("<span style=\"color:#d4d4d4\"> plain</span>"));
    }

    #[test]
    fn extended_colours_reverse_and_escaping() {
        let html = screen(
            "\x1b[38;5;196;48;2;0;0;255ma<b\x1b[7m&\x1b[4:3;58;2;255;0;0mx",
            0,
        );
        assert!(html.contains("color:#ff0000;background:#0000ff\">a&lt;b<"));
        assert!(html.contains("color:#0000ff;background:#ff0000\">&amp;<"));
        assert!(html.contains("text-decoration:underline;text-decoration-color:#ff0000\">x<"));
    }

    #[test]
    fn lines_are_padded_to_the_screen_width() {
        let html = screen("ab\n", 5);
        assert!(html.contains(">ab</span><span style=\"color:#d4d4d4\">   </span>\n"));
    }
}
