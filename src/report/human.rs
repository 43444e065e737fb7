//! miette's graphical report: rule, severity, message, the source line with
//! the span underlined, and the help; a summary line per file.
//!
//! miette is not given the source itself but, per finding, an [`Excerpt`]:
//! the lines around the finding's spans, with
//! - every control and bidirectional character shown as an escape
//!   ([`super::text`]), so a comment cannot drive the terminal;
//! - long lines cut around the spans (at most [`LINE_MAX`] characters per
//!   window, `…` where text is left out), so one finding prints a few lines
//!   whatever the file;
//! - line breaks written as `\n` whatever the file used (`\r\n`, a lone
//!   `\r`), and no byte-order mark;
//! - the spans moved to where their text now sits, and the line and column
//!   of the header taken from [`super::position`], as in every other format.
//!
//! Messages, help and labels are capped too ([`MESSAGE_MAX`], ...).

use super::position::Positions;
use super::text::{cap, clean, escape, is_unsafe};
use super::FileReport;
use crate::diag::{Finding, Severity};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::ops::Range;

/// Characters of one source line shown in a snippet window.
pub const LINE_MAX: usize = 200;
/// Of a window around a span, the characters shown before the span.
const BEFORE: usize = 60;
/// Characters of a message, of a help text and of a label.
pub const MESSAGE_MAX: usize = 400;
pub const HELP_MAX: usize = 1200;
pub const LABEL_MAX: usize = 200;
/// Secondary labels drawn per finding.
pub const LABELS_MAX: usize = 8;
/// A span over more lines than this is drawn on its first line only.
const SPAN_LINES_MAX: usize = 12;

/// A run of consecutive source lines, as placed in the excerpt text.
struct Segment {
    disp: Range<usize>,
    /// 0-based source line of its first line.
    first_line: usize,
}

/// Source text `orig` shown from `disp` on in the excerpt text.
struct Piece {
    orig: Range<usize>,
    disp: usize,
}

/// The lines a finding shows, cleaned and cut (see the module docs).
struct Excerpt<'s> {
    name: String,
    src: &'s str,
    text: String,
    segments: Vec<Segment>,
    pieces: Vec<Piece>,
    /// Display offset of each label start and its (0-based) source line
    /// and column.
    anchors: Vec<(usize, usize, usize)>,
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The byte offset `n` characters before `at`, not before `lo`.
fn back(src: &str, lo: usize, at: usize, n: usize) -> usize {
    if n == 0 {
        return at;
    }
    src[lo..at]
        .char_indices()
        .rev()
        .nth(n - 1)
        .map_or(lo, |(i, _)| lo + i)
}

/// The byte offset `n` characters after `at`, not after `hi`.
fn forward(src: &str, at: usize, hi: usize, n: usize) -> usize {
    src[at..hi]
        .char_indices()
        .nth(n)
        .map_or(hi, |(i, _)| at + i)
}

/// Length of `s` once cleaned for display.
fn display_len(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if is_unsafe(c) {
                escape(c).len()
            } else {
                c.len_utf8()
            }
        })
        .sum()
}

impl<'s> Excerpt<'s> {
    /// The excerpt for `spans` (byte ranges into the source, clamped and
    /// shortened here), and the spans moved into it.
    fn new(name: &str, pos: &Positions<'s>, spans: &[Range<usize>]) -> (Self, Vec<SourceSpan>) {
        let src = pos.source();
        let last = pos.line_count() - 1;
        // Clamp each span; a span over many lines keeps its first line.
        let spans: Vec<Range<usize>> = spans
            .iter()
            .map(|r| {
                let s = floor_boundary(src, r.start);
                let e = floor_boundary(src, r.end.max(s));
                let (ls, le) = (pos.line_of(s), pos.line_of(e.saturating_sub(1).max(s)));
                if le - ls > SPAN_LINES_MAX {
                    s..pos.line_range(ls).end.max(s)
                } else {
                    s..e
                }
            })
            .collect();
        // The lines to show: each span's lines and one line either side (but
        // not the empty "line" after a final line break, unless a span is on it).
        let context_last = if last > 0 && pos.line_range(last).is_empty() {
            last - 1
        } else {
            last
        };
        let mut runs: Vec<Range<usize>> = spans
            .iter()
            .map(|r| {
                let ls = pos.line_of(r.start);
                let le = pos.line_of(r.end.saturating_sub(1).max(r.start));
                ls.saturating_sub(1)..(le + 1).min(context_last).max(le) + 1
            })
            .collect();
        runs.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::new();
        for r in runs {
            match merged.last_mut() {
                Some(m) if r.start <= m.end => m.end = m.end.max(r.end),
                _ => merged.push(r),
            }
        }
        let mut ex = Excerpt {
            name: clean(name, false).into_owned(),
            src,
            text: String::new(),
            segments: Vec::new(),
            pieces: Vec::new(),
            anchors: Vec::new(),
        };
        for run in merged {
            let start = ex.text.len();
            for line in run.clone() {
                let r = pos.line_range(line);
                let points: Vec<usize> = spans
                    .iter()
                    .flat_map(|s| [s.start, s.end])
                    .filter(|p| r.start <= *p && *p <= r.end)
                    .collect();
                ex.push_line(r, &points);
                ex.text.push('\n');
            }
            ex.segments.push(Segment {
                disp: start..ex.text.len(),
                first_line: run.start,
            });
        }
        let moved: Vec<SourceSpan> = spans
            .iter()
            .map(|r| {
                let (a, b) = (ex.map(r.start), ex.map(r.end));
                SourceSpan::new(a.into(), b.max(a) - a)
            })
            .collect();
        for (r, m) in spans.iter().zip(&moved) {
            let (line, col) = pos.line_col(r.start);
            ex.anchors.push((m.offset(), line - 1, col - 1));
        }
        (ex, moved)
    }

    /// Writes one source line: whole when short, else windows around the
    /// span ends on it (`points`), `…` where text is left out.
    fn push_line(&mut self, r: Range<usize>, points: &[usize]) {
        let src = self.src;
        let long = r.len() > LINE_MAX && src[r.clone()].chars().nth(LINE_MAX).is_some();
        let mut windows: Vec<Range<usize>> = if !long {
            std::iter::once(r.clone()).collect()
        } else if points.is_empty() {
            std::iter::once(r.start..forward(src, r.start, r.end, LINE_MAX)).collect()
        } else {
            let mut w: Vec<Range<usize>> = points
                .iter()
                .map(|p| {
                    let a = back(src, r.start, *p, BEFORE);
                    a..forward(src, a, r.end, LINE_MAX)
                })
                .collect();
            w.sort_by_key(|x| x.start);
            w
        };
        // Merge windows that overlap or touch.
        windows.dedup_by(|next, prev| {
            if next.start <= prev.end {
                prev.end = prev.end.max(next.end);
                true
            } else {
                false
            }
        });
        let mut at = r.start;
        for w in windows {
            if w.start > at {
                self.text.push('…');
            }
            self.pieces.push(Piece {
                orig: w.clone(),
                disp: self.text.len(),
            });
            self.text.push_str(&clean(&src[w.clone()], false));
            at = w.end;
        }
        if at < r.end {
            self.text.push('…');
        }
    }

    /// Where a source offset sits in the excerpt text: inside a piece, at
    /// the end of the piece before it (for left-out text and line breaks),
    /// or at the start of the first piece.
    fn map(&self, o: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.orig.start <= o);
        if i == 0 {
            return self.pieces.first().map_or(0, |p| p.disp);
        }
        let p = &self.pieces[i - 1];
        let o = floor_boundary(self.src, o.min(p.orig.end));
        p.disp + display_len(&self.src[p.orig.start..o])
    }

    fn segment_of(&self, offset: usize) -> Option<&Segment> {
        let i = self.segments.partition_point(|s| s.disp.start <= offset);
        i.checked_sub(1).map(|i| &self.segments[i])
    }
}

impl SourceCode for Excerpt<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let seg = self
            .segment_of(span.offset())
            .ok_or(MietteError::OutOfBounds)?;
        let newlines = |r: Range<usize>| {
            self.text.as_bytes()[r]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
        };
        if context_lines_before == 0 && context_lines_after == 0 {
            // The span alone: its line and column as the source has them.
            let end = (span.offset() + span.len()).min(seg.disp.end);
            let (line, col) = match self.anchors.iter().find(|a| a.0 == span.offset()) {
                Some(&(_, l, c)) => (l, c),
                None => {
                    let before = &self.text[seg.disp.start..span.offset()];
                    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                    (
                        seg.first_line + newlines(seg.disp.start..span.offset()),
                        before[line_start..].chars().count(),
                    )
                }
            };
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.clone(),
                &self.text.as_bytes()[span.offset()..end],
                SourceSpan::new(span.offset().into(), end - span.offset()),
                line,
                col,
                newlines(span.offset()..end),
            )));
        }
        // With context: the whole run of lines the excerpt holds there.
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &self.text.as_bytes()[seg.disp.clone()],
            SourceSpan::new(seg.disp.start.into(), seg.disp.len()),
            seg.first_line,
            0,
            newlines(seg.disp.clone()),
        )))
    }
}

struct Report<'a> {
    f: &'a Finding,
    message: String,
    help: Option<String>,
    excerpt: Excerpt<'a>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report<'_> {}

impl Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.f.rule.as_str()))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.f.severity() {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.excerpt)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// A finding's text, cleaned of terminal controls and capped.
fn shown(s: &str, max: usize) -> String {
    clean(&cap(s, max), true).into_owned()
}

impl<'a> Report<'a> {
    fn new(f: &'a Finding, path: &str, pos: &Positions<'a>) -> Self {
        let extra = f.labels.len().saturating_sub(LABELS_MAX);
        let mut ranges: Vec<Range<usize>> = std::iter::once(f.span.start..f.span.end).collect();
        ranges.extend(
            f.labels
                .iter()
                .take(LABELS_MAX)
                .map(|l| l.span.start..l.span.end),
        );
        let (excerpt, spans) = Excerpt::new(path, pos, &ranges);
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            f.label.as_deref().map(|l| shown(l, LABEL_MAX)),
            spans[0],
        )];
        for (l, s) in f.labels.iter().zip(&spans[1..]) {
            labels.push(LabeledSpan::new_with_span(
                Some(shown(&l.text, LABEL_MAX)),
                *s,
            ));
        }
        let mut help = f.help.as_deref().map(|h| shown(h, HELP_MAX));
        if extra > 0 {
            let more = format!("({extra} more places not shown)");
            help = Some(match help {
                Some(h) => format!("{h}\n{more}"),
                None => more,
            });
        }
        Report {
            f,
            message: shown(&f.message, MESSAGE_MAX),
            help,
            excerpt,
            labels,
        }
    }
}

/// Options for the human report.
#[derive(Copy, Clone, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

/// Renders every finding of a file, then its summary line.
pub fn render(file: &FileReport<'_>, style: Style) -> String {
    render_with_note(file, style, None)
}

/// As [`render`], with a note after the summary: `0 errors, 0 warnings in
/// x.stack (it declares nothing: nothing to analyse)`.
pub fn render_with_note(file: &FileReport<'_>, style: Style, note: Option<&str>) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_urls(false);
    let pos = Positions::new(file.source);
    let mut out = String::new();
    for f in file.findings {
        let r = Report::new(f, file.path, &pos);
        if handler.render_report(&mut out, &r).is_err() {
            out.push_str(&format!("{}: {}\n", f.rule, r.message));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "{} in {}",
        super::counts(file.errors(), file.warnings()),
        clean(file.path, false)
    ));
    if let Some(n) = note {
        out.push_str(&format!(" ({})", clean(n, false)));
    }
    out.push('\n');
    out
}
