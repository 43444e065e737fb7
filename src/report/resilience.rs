//! The report of `stackc resilience` (RESILIENCE.md §6): pure functions
//! from a [`Resilience`] and the checked model to text: `human` (four
//! headline lines a reader grasps in ten seconds, then the tables),
//! `markdown` (the same, GitHub-flavoured, for a pull-request comment) and
//! `json` (the shape of §6).

pub mod figures;
mod json;

pub use json::json;

use crate::analysis::availability::{chain_text, name_list};
use crate::analysis::resilience::exact::Figure;
use crate::analysis::resilience::{load::Headroom, set_name, Element, Resilience};
use crate::analysis::Analysis;
use crate::model::{Model, SERVER_AVAILABILITY, ZONE_AVAILABILITY};
use figures::{downtime, gain, nines, percent, rate, share, use_of};

/// Rows a human or markdown table shows before "and N more" (JSON lists
/// every one).
pub const ROWS_SHOWN: usize = 20;
/// Gains the human and markdown reports list.
pub const GAINS_SHOWN: usize = 5;

/// What a resilience report reads.
#[derive(Copy, Clone)]
pub struct Input<'a> {
    /// The path as given (`-` for standard input).
    pub file: &'a str,
    pub model: &'a Model,
    pub analysis: &'a Analysis,
    pub report: &'a Resilience,
    /// Per entry point: left out (its `broken` is allowed).
    pub left_out: &'a [bool],
}

impl Input<'_> {
    fn left_out(&self, entry: usize) -> bool {
        self.left_out.get(entry).copied().unwrap_or(false)
    }

    /// An entry point's name as findings name it (`www.foobar.com`, or the
    /// server or group without `domain`).
    fn entry_name(&self, entry: usize) -> String {
        self.analysis.circuit.entries[entry]
            .finding_subject(self.model)
            .name()
            .to_string()
    }

    fn element_names(&self, set: &[Element]) -> String {
        if set.is_empty() {
            "nothing".to_string()
        } else {
            set_name(self.model, set)
        }
    }
}

/// The parts that were refused as too costly: (`cuts` | `availability` |
/// `capacity`, the message).
pub fn refusals(r: &Resilience) -> Vec<(&'static str, &str)> {
    let mut out = Vec::new();
    if let Err(e) = &r.cuts {
        out.push(("cuts", e.message.as_str()));
    }
    if let Err(e) = &r.availability {
        out.push(("availability", e.message.as_str()));
    }
    if let Err(e) = &r.capacity {
        out.push(("capacity", e.message.as_str()));
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The four headline lines: (label, sentence).
fn headline(i: &Input<'_>) -> Vec<(&'static str, String)> {
    let mut tolerance = tolerance_line(i);
    // The file's policy, when it has one and the design falls short of it.
    if let Some(k) = i.model.tolerate {
        if i.report.tolerance < usize::from(k) {
            tolerance.push_str(&format!(" (below `tolerate={k}`)"));
        }
    }
    let mut availability = availability_line(i);
    if let (Some(slo), Ok(a)) = (i.model.slo, &i.report.availability) {
        let verdict = if a.stack.up * 100.0 < slo {
            "below"
        } else {
            "meets"
        };
        availability.push_str(&format!(" ({verdict} `slo={slo}`)"));
    }
    vec![
        ("tolerance", tolerance),
        ("availability", availability),
        ("top gain", gain_line(i)),
        ("headroom", headroom_line(i)),
    ]
}

/// `survives any 1 failure; 2 losses can stop it: 3 cuts of size 2`.
fn tolerance_line(i: &Input<'_>) -> String {
    let r = i.report;
    let o = &i.analysis.outcome;
    if r.tolerance == 0 {
        if o.no_entry {
            return "survives no failure: without an entry point the stack serves nothing"
                .to_string();
        }
        let broken: Vec<String> = o
            .broken
            .iter()
            .filter(|d| !i.left_out(d.entry))
            .map(|d| i.entry_name(d.entry))
            .collect();
        if !broken.is_empty() {
            let verb = if broken.len() == 1 { "is" } else { "are" };
            return format!(
                "survives no failure: {} {verb} dark with nothing down",
                name_list(&broken)
            );
        }
        let singles: Vec<&str> = o
            .spofs
            .iter()
            .map(|(s, _)| i.model.server(*s).name.as_str())
            .chain(
                o.zone_spofs
                    .iter()
                    .map(|(z, _)| i.model.zones[z.index()].name.as_str()),
            )
            .collect();
        let verb = if singles.len() == 1 { "stops" } else { "stop" };
        return format!(
            "survives no failure: {} {verb} it ({})",
            plural(singles.len(), "single failure"),
            name_list(&singles)
        );
    }
    let k = r.tolerance;
    let any = format!("survives any {}", plural(k, "failure"));
    match (&r.cuts, r.tolerance_exact) {
        (Ok(c), true) => {
            let n = c.cuts.iter().filter(|x| x.elements.len() == k + 1).count();
            format!(
                "{any}; {} losses can stop it: {} of size {}",
                k + 1,
                plural(n, "cut"),
                k + 1
            )
        }
        (Ok(_), false) => format!("{any} (at least: no cut of size up to {k})"),
        (Err(_), _) => format!("{any} (at least: the search for larger cuts was refused)"),
    }
}

/// `99.9997 %, 5.5 nines, 1 min 35 s down a year`.
fn figure_words(f: Figure) -> String {
    format!("{}, {} nines, {}", percent(f), nines(f), downtime(f))
}

fn availability_line(i: &Input<'_>) -> String {
    match &i.report.availability {
        Ok(a) => figure_words(a.stack),
        Err(_) => "not computed (refused as too costly)".to_string(),
    }
}

fn gain_line(i: &Input<'_>) -> String {
    match &i.report.availability {
        Ok(a) => match a.gains.first() {
            Some((e, g)) => {
                // Equal gains (the two members of a pair) are ties: say so
                // rather than crown the first declared.
                let ties = a.gains[1..]
                    .iter()
                    .take_while(|(_, x)| (g - x).abs() <= 1e-9 * g.abs())
                    .count();
                let tie = match ties {
                    0 => String::new(),
                    1 => format!(" (as much as {})", a.gains[1].0.name(i.model)),
                    n => format!(" ({n} others as much)"),
                };
                format!(
                    "making {} perfect buys the most: {}{tie}",
                    e.name(i.model),
                    gain(*g)
                )
            }
            None => "no element, made perfect, would raise it".to_string(),
        },
        Err(_) => "not computed (refused as too costly)".to_string(),
    }
}

/// The servers with `capacity`, tightest first (worst load over capacity;
/// ties in declaration order).
fn tightest(h: &[Headroom]) -> Vec<&Headroom> {
    let mut v: Vec<&Headroom> = h.iter().collect();
    v.sort_by(|a, b| {
        use_of(b.worst, b.capacity)
            .partial_cmp(&use_of(a.worst, a.capacity))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    v
}

fn over(h: &Headroom) -> bool {
    h.overloaded()
}

fn with_words(i: &Input<'_>, h: &Headroom) -> String {
    if h.failed.is_empty() {
        "with nothing down".to_string()
    } else {
        format!("with {} down", i.element_names(&h.failed))
    }
}

/// `tightest is web-02: 1,500 of 1,000 req/s (150 %) with web-01 down: over capacity`.
fn headroom_line(i: &Input<'_>) -> String {
    let h = match &i.report.capacity {
        Ok(h) => h,
        Err(_) => return "not computed (refused as too costly)".to_string(),
    };
    let Some(t) = tightest(h).first().copied() else {
        return "no server has a `capacity`".to_string();
    };
    let mut line = format!(
        "tightest is {}: {} of {} req/s ({}) {}",
        i.model.server(t.server).name,
        rate(t.worst),
        rate(t.capacity),
        share(use_of(t.worst, t.capacity)),
        with_words(i, t)
    );
    let n_over = h.iter().filter(|x| over(x)).count();
    if n_over > 0 {
        line.push_str(": over capacity");
    }
    if n_over > 1 {
        line.push_str(&format!(" ({} are)", plural(n_over, "server")));
    }
    line
}

/// A table: a header and rows of cells; `right[c]` aligns column c right.
struct Table {
    head: Vec<&'static str>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
    /// Rows left out ("and N more").
    more: usize,
}

impl Table {
    fn new(head: &[(&'static str, bool)]) -> Self {
        Table {
            head: head.iter().map(|h| h.0).collect(),
            right: head.iter().map(|h| h.1).collect(),
            rows: Vec::new(),
            more: 0,
        }
    }

    /// Keeps the first [`ROWS_SHOWN`] rows.
    fn cap(mut self) -> Self {
        if self.rows.len() > ROWS_SHOWN {
            self.more = self.rows.len() - ROWS_SHOWN;
            self.rows.truncate(ROWS_SHOWN);
        }
        self
    }

    fn human(&self) -> String {
        let width = |c: usize| {
            self.rows
                .iter()
                .map(|r| r[c].chars().count())
                .chain(std::iter::once(self.head[c].chars().count()))
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.head.len()).map(width).collect();
        let line = |cells: Vec<&str>| {
            let last = cells.len() - 1;
            let mut s = String::from(" ");
            for (c, cell) in cells.iter().enumerate() {
                let pad = widths[c] - cell.chars().count();
                s.push(' ');
                if self.right[c] {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(cell);
                } else {
                    s.push_str(cell);
                    if c < last {
                        s.push_str(&" ".repeat(pad));
                    }
                }
                if c < last {
                    s.push(' ');
                }
            }
            s.trim_end().to_string() + "\n"
        };
        let mut out = line(self.head.clone());
        for r in &self.rows {
            out.push_str(&line(r.iter().map(String::as_str).collect()));
        }
        if self.more > 0 {
            out.push_str(&format!(
                "  \u{2026} and {} more (`--format json` lists every one)\n",
                self.more
            ));
        }
        out
    }

    fn markdown(&self) -> String {
        let cell = |s: &str| s.replace('|', "\\|");
        let mut out = format!("| {} |\n", self.head.join(" | "));
        let rule: Vec<&str> = self
            .right
            .iter()
            .map(|r| if *r { "---:" } else { "---" })
            .collect();
        out.push_str(&format!("|{}|\n", rule.join("|")));
        for r in &self.rows {
            let cells: Vec<String> = r.iter().map(|c| cell(c)).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        if self.more > 0 {
            out.push_str(&format!(
                "\n_\u{2026} and {} more (`--format json` lists every one)_\n",
                self.more
            ));
        }
        out
    }
}

/// A section of the report: a title, a table or a sentence, notes.
struct Section {
    title: String,
    table: Option<Table>,
    /// Said instead of the table (or after it).
    notes: Vec<String>,
}

impl Section {
    /// A section that says one thing instead of its table.
    fn note(title: String, note: String) -> Section {
        Section {
            title,
            table: None,
            notes: vec![note],
        }
    }
}

fn cuts_section(i: &Input<'_>) -> Section {
    let r = i.report;
    let title = format!("cuts up to size {}", r.max_size);
    let c = match &r.cuts {
        Ok(c) => c,
        Err(e) => return Section::note(title, format!("not computed: {}", e.message)),
    };
    if c.cuts.is_empty() {
        return Section::note(
            title,
            format!(
                "none: no set of up to {} failing at once stops the stack",
                plural(r.max_size, "element")
            ),
        );
    }
    let mut t = Table::new(&[
        ("size", true),
        ("elements", false),
        ("dark", false),
        ("chain that breaks", false),
    ]);
    for cut in &c.cuts {
        let dark: Vec<String> = cut.dark.iter().map(|d| i.entry_name(*d)).collect();
        t.rows.push(vec![
            cut.elements.len().to_string(),
            i.element_names(&cut.elements),
            name_list(&dark),
            chain_text(i.model, &i.analysis.circuit, &cut.chain),
        ]);
    }
    Section {
        title: format!("{title} ({})", c.cuts.len()),
        table: Some(t.cap()),
        notes: Vec::new(),
    }
}

/// A note on the defaults when some element has no `availability=`.
fn defaults_note(m: &Model) -> Option<String> {
    let servers = m.servers.iter().any(|s| s.availability.is_none());
    let zones = m.zones.iter().any(|z| z.availability.is_none());
    match (servers, zones) {
        (true, true) => Some(format!(
            "servers without `availability=` count as {SERVER_AVAILABILITY} %, zones as {ZONE_AVAILABILITY} %"
        )),
        (true, false) => Some(format!(
            "servers without `availability=` count as {SERVER_AVAILABILITY} %"
        )),
        (false, true) => Some(format!(
            "zones without `availability=` count as {ZONE_AVAILABILITY} %"
        )),
        (false, false) => None,
    }
}

fn records_section(i: &Input<'_>) -> Section {
    let title = "availability per record".to_string();
    let a = match &i.report.availability {
        Ok(a) => a,
        Err(e) => return Section::note(title, format!("not computed: {}", e.message)),
    };
    let mut judged: Vec<(usize, Figure)> = a
        .entries
        .iter()
        .enumerate()
        .filter(|(e, _)| !i.left_out(*e))
        .map(|(e, f)| (e, *f))
        .collect();
    // The least available first: what a reader looks for.
    judged.sort_by(|x, y| {
        y.1.down
            .partial_cmp(&x.1.down)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut t = Table::new(&[
        ("record", false),
        ("availability", true),
        ("nines", true),
        ("down a year", true),
    ]);
    for (e, f) in &judged {
        t.rows.push(vec![
            i.entry_name(*e),
            percent(*f),
            nines(*f),
            figures::duration(f.down * crate::analysis::resilience::YEAR_S),
        ]);
    }
    let mut notes = Vec::new();
    let left: Vec<String> = (0..a.entries.len())
        .filter(|e| i.left_out(*e))
        .map(|e| i.entry_name(e))
        .collect();
    if !left.is_empty() {
        notes.push(format!(
            "left out (their `broken` is allowed): {}",
            name_list(&left)
        ));
    }
    notes.extend(defaults_note(i.model));
    Section {
        title,
        table: (!t.rows.is_empty()).then(|| t.cap()),
        notes,
    }
}

fn gains_section(i: &Input<'_>) -> Section {
    let title = "top gains: the stack's availability with one element always up".to_string();
    let a = match &i.report.availability {
        Ok(a) => a,
        Err(e) => return Section::note(title, format!("not computed: {}", e.message)),
    };
    if a.gains.is_empty() {
        return Section::note(
            title,
            "none: no element, made perfect, would raise it".into(),
        );
    }
    let mut t = Table::new(&[("element", false), ("gain", true), ("stack then", true)]);
    for (e, g) in a.gains.iter().take(GAINS_SHOWN) {
        let then = Figure {
            up: a.stack.up + g,
            down: (a.stack.down - g).max(0.0),
        };
        t.rows
            .push(vec![e.name(i.model).to_string(), gain(*g), percent(then)]);
    }
    Section {
        title,
        table: Some(t),
        notes: Vec::new(),
    }
}

fn headroom_section(i: &Input<'_>) -> Section {
    let title = format!(
        "headroom (req/s; worst with nothing down or up to {} down)",
        plural(i.report.tolerate, "failure")
    );
    let h = match &i.report.capacity {
        Ok(h) => h,
        Err(e) => return Section::note(title, format!("not computed: {}", e.message)),
    };
    if h.is_empty() {
        return Section::note(
            title,
            "no server has a `capacity` (`capacity=N` on a server or group, `load=N` on a record)"
                .into(),
        );
    }
    let mut t = Table::new(&[
        ("server", false),
        ("capacity", true),
        ("nothing down", true),
        ("worst", true),
        ("use", true),
        ("worst with", false),
        ("", false),
    ]);
    for x in tightest(h) {
        t.rows.push(vec![
            i.model.server(x.server).name.clone(),
            rate(x.capacity),
            rate(x.baseline),
            rate(x.worst),
            share(use_of(x.worst, x.capacity)),
            if x.failed.is_empty() {
                "nothing down".to_string()
            } else {
                i.element_names(&x.failed)
            },
            if over(x) { "OVER" } else { "" }.to_string(),
        ]);
    }
    Section {
        title,
        table: Some(t.cap()),
        notes: Vec::new(),
    }
}

fn sections(i: &Input<'_>) -> Vec<Section> {
    vec![
        cuts_section(i),
        records_section(i),
        gains_section(i),
        headroom_section(i),
    ]
}

fn title(i: &Input<'_>) -> String {
    let file = super::text::clean(i.file, false);
    match &i.model.name {
        Some(n) => format!("resilience of {n} ({file})"),
        None => format!("resilience of {file}"),
    }
}

/// The human report: a title, the four headline lines, then the tables.
pub fn human(i: &Input<'_>) -> String {
    let mut out = format!("{}\n\n", title(i));
    let lines = headline(i);
    let w = lines.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    for (label, text) in &lines {
        out.push_str(&format!("  {label:<w$}  {text}\n"));
    }
    for s in sections(i) {
        out.push_str(&format!("\n{}\n", s.title));
        if let Some(t) = &s.table {
            out.push_str(&t.human());
        }
        for n in &s.notes {
            out.push_str(&format!("  {n}\n"));
        }
    }
    out
}

/// The markdown report (GitHub-flavoured, for a pull-request comment).
pub fn markdown(i: &Input<'_>) -> String {
    let mut out = format!("### {}\n\n", capitalised(&title(i)));
    let mut t = Table::new(&[("", false), ("", false)]);
    for (label, text) in headline(i) {
        t.rows
            .push(vec![format!("**{}**", capitalised(label)), text.clone()]);
    }
    out.push_str(&t.markdown());
    for s in sections(i) {
        out.push_str(&format!("\n#### {}\n\n", capitalised(&s.title)));
        if let Some(t) = &s.table {
            out.push_str(&t.markdown());
        }
        if !s.notes.is_empty() {
            if s.table.is_some() {
                out.push('\n');
            }
            for n in &s.notes {
                out.push_str(&format!("{}\n", n.replace('|', "\\|")));
            }
        }
    }
    out
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests;
