//! `{{#stackc availability FILE TARGET EXPECTED}}`: a figure worked by hand
//! in a chapter, checked against the library's exact availability
//! (RESILIENCE.md §3). The build fails when they differ by more than
//! [`TOLERANCE`] (relative); otherwise the directive shows stackc's figure
//! with the downtime it means, so that the page and the tool cannot drift
//! apart.

use super::blocks::report_text;
pub(super) use crate::analysis::resilience::thousands;
use crate::analysis::resilience::{exact, YEAR_S};

/// The largest relative difference between a hand figure and stackc's.
pub const TOLERANCE: f64 = 1e-9;

/// A hand figure as a chapter writes it: a probability (`0.99937`) or a
/// percentage (`99.937%`); the probability.
pub fn parse_figure(written: &str) -> Result<f64, String> {
    let (number, scale) = match written.strip_suffix('%') {
        Some(n) => (n, 100.0),
        None => (written, 1.0),
    };
    let bad = || {
        format!(
            "`{written}` is not an availability: write a probability (0.9994) or a percentage (99.94%)"
        )
    };
    // Only plain decimals: no `inf`, `NaN`, exponents or signs.
    if number.is_empty()
        || !number.chars().all(|c| c.is_ascii_digit() || c == '.')
        || number.matches('.').count() > 1
        || number == "."
    {
        return Err(bad());
    }
    let p = number.parse::<f64>().map_err(|_| bad())? / scale;
    if !(p > 0.0 && p <= 1.0) {
        return Err(format!(
            "`{written}` is not an availability: it must lie in (0, 1], or (0 %, 100 %]"
        ));
    }
    Ok(p)
}

/// The relative difference of a hand figure from stackc's.
fn relative_difference(hand: f64, computed: f64) -> f64 {
    if computed == 0.0 {
        hand.abs()
    } else {
        ((hand - computed) / computed).abs()
    }
}

/// Seconds as the book says a downtime: `5 h 30 min 47 s`, `52 min 36 s`,
/// `9.5 s`.
pub fn duration_words(seconds: f64) -> String {
    if seconds < 60.0 {
        let s = format!("{seconds:.1}");
        return format!("{} s", s.strip_suffix(".0").unwrap_or(&s));
    }
    let total = seconds.round() as u64;
    let (d, h, m, s) = (
        total / 86_400,
        total / 3_600 % 24,
        total / 60 % 60,
        total % 60,
    );
    let parts: Vec<String> = [(d, "d"), (h, "h"), (m, "min"), (s, "s")]
        .iter()
        .skip_while(|(n, _)| *n == 0)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect();
    parts.join(" ")
}

/// What the directive becomes for `target` (an entry point's name, or the
/// stack's name for the whole stack) of the checked file shown as `shown`,
/// whose availability was worked by hand as `expected`.
pub(super) fn availability(
    shown: &str,
    src: &str,
    c: &crate::Checked,
    target: &str,
    expected: &str,
) -> Result<String, String> {
    let hand = parse_figure(expected)?;
    let Some(a) = &c.analysis else {
        return Err(format!(
            "{shown} has errors that leave no sound model, so no availability:\n{}",
            report_text(shown, src, c)
        ));
    };
    let left_out = crate::left_out(c);
    let figures = exact::compute(&c.model, &a.circuit, &left_out).map_err(|e| e.message)?;
    let matching: Vec<exact::Figure> = a
        .circuit
        .entries
        .iter()
        .zip(&figures.entries)
        .filter(|(e, _)| e.subject == target)
        .map(|(_, f)| *f)
        .collect();
    let is_stack = c.model.name.as_deref() == Some(target);
    let (what, figure) = match (matching.as_slice(), is_stack) {
        ([first, rest @ ..], false) => {
            // An A and an AAAA record of one name: one figure, or none.
            if rest.iter().any(|f| f.up != first.up) {
                return Err(format!(
                    "{target} names several records of {shown} with different availabilities: the figure would be ambiguous"
                ));
            }
            (target.to_string(), *first)
        }
        ([], true) => (format!("the stack {target}"), figures.stack),
        ([_, ..], true) => {
            return Err(format!(
                "`{target}` is both a record of {shown} and its stack's name: the figure would be ambiguous"
            ))
        }
        ([], false) => {
            let mut names: Vec<&str> = a
                .circuit
                .entries
                .iter()
                .map(|e| e.subject.as_str())
                .collect();
            names.dedup();
            let stack = match &c.model.name {
                Some(n) => format!(", or the stack's name `{n}`"),
                None => String::new(),
            };
            return Err(format!(
                "`{target}` is not a record of {shown}: name one of its records ({}){stack}",
                names.join(", ")
            ));
        }
    };
    let difference = relative_difference(hand, figure.up);
    if difference > TOLERANCE {
        return Err(format!(
            "the figure worked by hand for {what}, {expected}, is not stackc's: stackc computes {:.15} (unavailability {:.9e}); they differ by {difference:.1e} relative, more than {TOLERANCE:.0e}: correct the page (or the stack)",
            figure.up, figure.down
        ));
    }
    let downtime = figure.down * YEAR_S;
    let downtime = if downtime < 60.0 {
        duration_words(downtime)
    } else {
        format!(
            "{} ({} s)",
            duration_words(downtime),
            thousands(downtime.round() as u64)
        )
    };
    Ok(super::markdown::fence(
        "text",
        &format!(
            "{what} ({shown}), computed by stackc:\n  availability     {:.12}  ({:.10} %)\n  unavailability   {:.6e}\n  downtime a year  {downtime}\n  worked by hand   {expected}: agrees within {TOLERANCE:.0e}\n",
            figure.up,
            figure.up * 100.0,
            figure.down,
        ),
    ))
}

/// `{{#stackc resilience FILE [format=human|json] [max-size=K]}}`: the
/// report of `stackc resilience`, as the command prints it.
pub(super) fn resilience_report(
    shown: &str,
    src: &str,
    c: &crate::Checked,
    options: &[&str],
) -> Result<(&'static str, String), String> {
    let mut json = false;
    let mut max_size = None;
    for o in options {
        match o.split_once('=') {
            Some(("format", "human")) => json = false,
            Some(("format", "json")) => json = true,
            Some(("max-size", k)) => {
                max_size = Some(
                    k.parse::<usize>()
                        .ok()
                        .filter(|k| (1..=4).contains(k))
                        .ok_or_else(|| format!("`{o}`: max-size is 1 to 4"))?,
                )
            }
            _ => {
                return Err(format!(
                    "`{o}`: the options of resilience are format=human|json and max-size=K"
                ))
            }
        }
    }
    let (Some(a), Some(r)) = (&c.analysis, crate::resilience(c, max_size)) else {
        return Err(format!(
            "{shown} has errors that leave no sound model, so no resilience report:\n{}",
            report_text(shown, src, c)
        ));
    };
    let left_out = crate::left_out(c);
    let input = crate::report::resilience::Input {
        file: shown,
        model: &c.model,
        analysis: a,
        report: &r,
        left_out: &left_out,
    };
    Ok(if json {
        ("json", crate::report::resilience::json(&input))
    } else {
        ("text", crate::report::resilience::human(&input))
    })
}
