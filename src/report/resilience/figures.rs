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

/// `99.99970` -> `99.9997`; `12.50` -> `12.5`; `3.0` stays `3.0`.
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
/// (two significant digits of it): `99.9997 %`, `99.99985 %`, `85.3 %`,
/// `100 %`. Below 1e-10 % of unavailability: `100 % - 3.0e-12 %`.
pub fn percent(f: Figure) -> String {
    if f.down <= 0.0 {
        return "100 %".to_string();
    }
    if f.up <= 0.0 {
        return "0 %".to_string();
    }
    let u = f.down * 100.0;
    if u < 1e-10 {
        return format!("100 % - {u:.1e} %");
    }
    let d = decimals(u, 1, 12);
    format!("{} %", trim(format!("{:.*}", d, 100.0 - u)))
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

/// A duration in words, to the unit that matters: `1 min 35 s`, `5.4 s`,
/// `3 h 12 min`, `4 d 6 h`, `120 ms`, `less than 1 ms`, `0 s`.
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
    if seconds < 9.95 {
        return format!("{seconds:.1} s");
    }
    let s = seconds.round() as u64;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        3600..=86_399 => {
            let m = (s + 30) / 60;
            format!("{} h {} min", m / 60, m % 60)
        }
        _ => {
            let h = (s + 1800) / 3600;
            format!("{} d {} h", h / 24, h % 24)
        }
    }
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

/// A rate of requests: whole numbers with thousands separators (`1,500`),
/// others with one decimal (`666.7`).
pub fn rate(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let r = (x * 10.0).round() / 10.0;
    let neg = r < 0.0;
    let r = r.abs();
    let whole = r.trunc() as u64;
    let tenth = ((r - r.trunc()) * 10.0).round() as u64;
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if neg { "-" } else { "" };
    if tenth == 0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{tenth}")
    }
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
        assert_eq!(percent(fig(3.0e-6)), "99.9997 %");
        assert_eq!(percent(fig(1.5e-6)), "99.99985 %");
        assert_eq!(percent(fig(0.001)), "99.9 %");
        assert_eq!(percent(fig(0.147)), "85.3 %");
        assert_eq!(percent(fig(0.0)), "100 %");
        assert_eq!(percent(fig(1.0)), "0 %");
        assert_eq!(percent(fig(3.0e-15)), "100 % - 3.0e-13 %");
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
        assert_eq!(duration(31_557.6), "8 h 46 min");
        assert_eq!(duration(3_155_760.0), "36 d 13 h");
        assert_eq!(downtime(fig(0.001)), "8 h 46 min down a year");
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
        assert_eq!(rate(666.666), "666.7");
        assert_eq!(rate(-500.0), "-500");
        assert_eq!(rate(0.0), "0");
        assert_eq!(share(use_of(1500.0, 1000.0)), "150 %");
        assert_eq!(share(use_of(10.0, 0.0)), "\u{221e} %");
        assert_eq!(use_of(0.0, 0.0), 0.0);
        assert_eq!(json_number(1500.0).to_string(), "1500");
        assert_eq!(json_number(0.5).to_string(), "0.5");
    }
}
