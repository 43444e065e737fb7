//! The generator's RESILIENCE.md attributes: availability on zones, groups
//! and servers, capacity and load, quorum groups, `tolerate=` and `slo=`.
//! Every draw is behind `Gen::res`, so the plain generator's text does not
//! change.
use super::*;

/// Percentages an operator writes, 100 (never down) included.
const AVAILABILITIES: &[&str] = &["97.5", "99", "99.5", "99.9", "99.95", "99.99", "100"];
const CAPACITIES: &[&str] = &["500", "800", "1000", "1500", "2000", "4000"];
const LOADS: &[&str] = &["300", "600", "1000", "1200", "2000", "2500"];
const SLOS: &[&str] = &["99", "99.5", "99.9", "99.95", "99.99"];

/// At most this many failure elements (zones and servers): the exact
/// availability enumerates 2^n states.
pub(crate) const MAX_ELEMENTS: usize = 13;

impl Gen {
    fn pick(&mut self, from: &[&'static str]) -> &'static str {
        from[self.rng.below(from.len())]
    }

    /// A group of `kind` with `n` members made `mode=quorum`: `Some(k)` when
    /// it writes `quorum=k`. On the database tier only with mysql (Galera):
    /// RESILIENCE.md §5 names mysql; no primary/replica marks, no failover.
    pub(crate) fn quorum(&mut self, kind: Kind, n: usize) -> Option<Option<usize>> {
        if !self.res || kind == Kind::Lb || (kind.has_mysql() && self.db != "mysql") {
            return None;
        }
        if !self.rng.pct(30) {
            return None;
        }
        Some(self.rng.pct(50).then(|| 1 + self.rng.below(n)))
    }

    /// `availability=` (in `avail_pct` of the cases) and, in a case with
    /// capacities, `capacity=` (in `cap_pct`), written to `line`.
    pub(crate) fn res_attrs(
        &mut self,
        line: &mut String,
        avail_pct: u64,
        cap_pct: u64,
    ) -> (Option<f64>, Option<f64>) {
        if !self.res {
            return (None, None);
        }
        let mut avail = None;
        if self.rng.pct(avail_pct) {
            let p = self.pick(AVAILABILITIES);
            *line += &format!(" availability={p}");
            avail = Some(p.parse().unwrap());
        }
        let mut cap = None;
        if self.capacities && self.rng.pct(cap_pct) {
            let c = self.pick(CAPACITIES);
            *line += &format!(" capacity={c}");
            cap = Some(c.parse().unwrap());
        }
        (avail, cap)
    }

    pub(crate) fn zone_availability(&mut self, line: &mut String) -> Option<f64> {
        if !self.res || !self.rng.pct(50) {
            return None;
        }
        let p = self.pick(AVAILABILITIES);
        *line += &format!(" availability={p}");
        Some(p.parse().unwrap())
    }

    /// A record's `load=`: in most records of a case with capacities, now
    /// and then elsewhere (the flow is compared all the same).
    pub(crate) fn load(&mut self) -> Option<f64> {
        let p = if self.capacities { 85 } else { 15 };
        if !self.res || !self.rng.pct(p) {
            return None;
        }
        Some(self.pick(LOADS).parse().unwrap())
    }

    /// `tolerate=K` (1..=3: the brute force enumerates up to 3) and `slo=P`
    /// on the `stack` line.
    pub(crate) fn policies(&mut self, head: &mut String) {
        if !self.res {
            return;
        }
        if self.rng.pct(50) {
            let k = 1 + self.rng.below(3);
            *head += &format!(" tolerate={k}");
            self.topo.tolerate = Some(k);
        }
        if self.rng.pct(40) {
            let p = self.pick(SLOS);
            *head += &format!(" slo={p}");
            self.topo.slo = Some(p.parse().unwrap());
        }
    }
}

/// A random stack with RESILIENCE.md's attributes, small enough for the
/// brute force (at most `MAX_ELEMENTS` zones and servers): the first of the
/// seed's attempts that fits.
pub(crate) fn generate_resilient(seed: u64) -> (String, Topo) {
    // Of ten cases, three redundant designs and one wide one.
    let design = match seed % 10 {
        0..=2 => Design::Redundant,
        3 => Design::Wide,
        _ => Design::Plain,
    };
    for attempt in 0..64 {
        let (src, topo) = generate_with(seed * 64 + attempt, true, design);
        if topo.zones.len() + topo.servers.len() <= MAX_ELEMENTS {
            return (allow_some(seed, src, &topo), topo);
        }
    }
    panic!("seed {seed}: no small enough stack in 64 attempts");
}

/// Now and then an `allow` for a `cut-set` or an `overload` the file has
/// (found by the brute force): the findings are compared allowed or not.
fn allow_some(seed: u64, mut src: String, topo: &Topo) -> String {
    if seed % 3 != 0 {
        return src;
    }
    let j = Judge::new(topo);
    let tolerate = topo.tolerate.unwrap_or(1);
    let cut = cuts(&j, tolerate.min(3))
        .into_iter()
        .find(|(e, _)| e.len() >= 2);
    if let Some((e, _)) = cut {
        src += &format!("allow cut-set {} \"a known pair\"\n", e.join("+"));
    }
    if let Some(h) = headroom(&j, tolerate)
        .iter()
        .find(|h| h.worst > h.capacity * (1.0 + 1e-6))
    {
        let name = &topo.servers[h.server].name;
        src += &format!("allow overload {name} \"peaks are shed\"\n");
    }
    src
}
