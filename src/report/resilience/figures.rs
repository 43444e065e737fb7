//! Figures in words, for the resilience reports and `simulate`: an
//! availability in percent with as many digits as its unavailability
//! needs, nines, a downtime per year, a gain, a rate of requests.

use crate::analysis::resilience::exact::Figure;

/// Digits after the point that keep two significant digits of `x` (> 0),
/// between `min` and `max`.
fn decimals(x: f64, min: usize, max: usize) -> usize {
    let d = 1 - x.log10().floor() as i64;
    d.clamp(min as i64, max as i64) as usize
}

/// `0.000090` -> `0.00009`; `12.50` -> `12.5`; `3.0` stays `3.0`.
fn trim(s: String) -> String {
    if !s.contains('.') {
        return s;
    }
    let t = s.trim_end_matches('0');
    if t.ends_with('.') {
        format!("{t}0")
    } else {
        t.to_string()
    }
}

/// An availability in percent, with the digits its unavailability needs
/// (`99.99970 %`, `85.3 %`, `100 %`): the same words as the `slo` rule's.
pub fn percent(f: Figure) -> String {
    crate::analysis::resilience::percent(f.up, f.down)
}

/// The number of nines, one decimal: `-log10(1 - A)`; `∞` when never down.
pub fn nines(f: Figure) -> String {
    if f.down <= 0.0 {
        return "\u{221e}".to_string();
    }
    let n = -f.down.log10();
    // Not -0.0 for a figure that is always down.
    format!("{:.1}", if n > 0.0 { n } else { 0.0 })
}

/// A duration in words, to the unit that matters, as the `slo` rule
/// says it (`1 min 35 s`, `5.4 s`, `8 h 45 min`), and below a second
/// `120 ms`, `less than 1 ms`, `0 s`.
pub fn duration(seconds: f64) -> String {
    if seconds <= 0.0 {
        return "0 s".to_string();
    }
    if seconds < 0.001 {
        return "less than 1 ms".to_string();
    }
    if seconds < 1.0 {
        return format!("{:.0} ms", seconds * 1000.0);
    }
    crate::analysis::resilience::downtime(seconds)
}

/// The downtime of a figure over a year, in words; `never down` at 0.
pub fn downtime(f: Figure) -> String {
    if f.down <= 0.0 {
        return "never down".to_string();
    }
    format!(
        "{} down a year",
        duration(f.down * crate::analysis::resilience::YEAR_S)
    )
}

/// A gain (a probability) in percentage points, two significant digits:
/// `+0.00009 %`, `+0.0012 %`, `+1.5 %`.
pub fn gain(g: f64) -> String {
    if g <= 0.0 {
        return "+0 %".to_string();
    }
    let p = g * 100.0;
    if p < 1e-13 {
        return format!("+{p:.1e} %");
    }
    let d = decimals(p, 1, 15);
    format!("+{} %", trim(format!("{:.*}", d, p)))
}

/// A rate of requests, as the `overload` rule says it: `1,500`, `666.67`.
pub fn rate(x: f64) -> String {
    crate::analysis::resilience::rate(x)
}

/// `load` as a share of `capacity` (infinite for load on no capacity).
pub fn use_of(load: f64, capacity: f64) -> f64 {
    if capacity > 0.0 {
        load / capacity
    } else if load > 0.0 {
        f64::INFINITY
    } else {
        0.0
    }
}

/// A share in percent, whole: `150 %`; `∞ %` for load on no capacity.
pub fn share(x: f64) -> String {
    if x.is_infinite() {
        "\u{221e} %".to_string()
    } else {
        format!("{:.0} %", x * 100.0)
    }
}

/// A number for JSON: whole numbers as integers (`1500`, not `1500.0`),
/// others at full precision.
pub fn json_number(x: f64) -> serde_json::Value {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 {
        serde_json::Value::from(x as i64)
    } else {
        serde_json::Value::from(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig(down: f64) -> Figure {
        Figure {
            up: 1.0 - down,
            down,
        }
    }

    #[test]
    fn percent_keeps_two_digits_of_the_unavailability() {
        assert_eq!(percent(fig(3.0e-6)), "99.99970 %");
        assert_eq!(percent(fig(1.5e-6)), "99.99985 %");
        assert_eq!(percent(fig(0.001)), "99.900 %");
        assert_eq!(percent(fig(0.147)), "85.3 %");
        assert_eq!(percent(fig(0.0)), "100 %");
        assert_eq!(percent(fig(1.0)), "0 %");
    }

    #[test]
    fn nines_and_downtime() {
        assert_eq!(nines(fig(3.0e-6)), "5.5");
        assert_eq!(nines(fig(0.001)), "3.0");
        assert_eq!(nines(fig(0.0)), "\u{221e}");
        assert_eq!(nines(fig(1.0)), "0.0");
        assert_eq!(duration(94.7), "1 min 35 s");
        assert_eq!(duration(5.44), "5.4 s");
        assert_eq!(duration(42.2), "42 s");
        assert_eq!(duration(0.12), "120 ms");
        assert_eq!(duration(0.0004), "less than 1 ms");
        assert_eq!(duration(0.0), "0 s");
        assert_eq!(duration(31_557.6), "8 h 45 min");
        assert_eq!(duration(3_155_760.0), "36 d 12 h");
        assert_eq!(downtime(fig(0.001)), "8 h 45 min down a year");
        assert_eq!(downtime(fig(0.0)), "never down");
    }

    #[test]
    fn gains_rates_and_shares() {
        assert_eq!(gain(9.0e-7), "+0.00009 %");
        assert_eq!(gain(1.23e-5), "+0.0012 %");
        assert_eq!(gain(0.015), "+1.5 %");
        assert_eq!(gain(0.0), "+0 %");
        assert_eq!(rate(1500.0), "1,500");
        assert_eq!(rate(1_234_567.0), "1,234,567");
        assert_eq!(rate(666.666), "666.67");
        assert_eq!(rate(0.0), "0");
        assert_eq!(share(use_of(1500.0, 1000.0)), "150 %");
        assert_eq!(share(use_of(10.0, 0.0)), "\u{221e} %");
        assert_eq!(use_of(0.0, 0.0), 0.0);
        assert_eq!(json_number(1500.0).to_string(), "1500");
        assert_eq!(json_number(0.5).to_string(), "0.5");
    }
}
