//! The brute force of RESILIENCE.md, read literally on the test's own
//! topology: every failure set enumerated for the cuts (§1), every up/down
//! state of the elements for the availability (§3), the load flow of §4 one
//! scenario at a time. Nothing here calls the crate.
use super::*;

/// A failure element (§1). Zones are declared before servers in every
/// generated file, so this order is the declaration order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Elem {
    Zone(usize),
    Server(usize),
}

/// §3's defaults, in percent.
pub(crate) const SERVER_DEFAULT: f64 = 99.9;
pub(crate) const ZONE_DEFAULT: f64 = 99.99;

impl Topo {
    /// Every element: the zones, then the servers.
    pub(crate) fn elements(&self) -> Vec<Elem> {
        (0..self.zones.len())
            .map(Elem::Zone)
            .chain((0..self.servers.len()).map(Elem::Server))
            .collect()
    }

    pub(crate) fn elem_name(&self, e: Elem) -> &str {
        match e {
            Elem::Zone(z) => &self.zones[z],
            Elem::Server(s) => &self.servers[s].name,
        }
    }

    /// The probability that it is down, from its percentage.
    pub(crate) fn elem_down(&self, e: Elem) -> f64 {
        let p = match e {
            Elem::Zone(z) => self
                .zone_availability
                .get(z)
                .copied()
                .flatten()
                .unwrap_or(ZONE_DEFAULT),
            Elem::Server(s) => self.servers[s].availability.unwrap_or(SERVER_DEFAULT),
        };
        (100.0 - p) / 100.0
    }

    /// The servers down with `set` down.
    pub(crate) fn down_with(&self, set: &[Elem]) -> Vec<bool> {
        self.servers
            .iter()
            .enumerate()
            .map(|(i, s)| {
                set.iter().any(|&e| match e {
                    Elem::Server(x) => x == i,
                    Elem::Zone(z) => s.zone == Some(z),
                })
            })
            .collect()
    }

    /// §1: never a server together with its own zone.
    pub(crate) fn is_failure_set(&self, set: &[Elem]) -> bool {
        set.iter().all(|&a| {
            set.iter().all(|&b| match (a, b) {
                (Elem::Server(s), Elem::Zone(z)) => self.servers[s].zone != Some(z),
                _ => true,
            })
        })
    }

    /// The entry points: the records, or without `domain` the untargeted
    /// servers and groups (§5.5, §7.8).
    pub(crate) fn entries(&self) -> Vec<Record> {
        if self.records.is_empty() {
            entry_points(self)
        } else {
            self.records.clone()
        }
    }
}

/// What every §1–§4 question starts from: the entry points, which of them
/// serve with nothing down and which are left out (their `broken` is
/// allowed).
pub(crate) struct Judge<'a> {
    pub(crate) topo: &'a Topo,
    pub(crate) entries: Vec<Record>,
    pub(crate) left_out: Vec<bool>,
    /// Serves with nothing down and is not left out: judged by the cuts.
    pub(crate) judged: Vec<bool>,
}

impl<'a> Judge<'a> {
    pub(crate) fn new(topo: &'a Topo) -> Self {
        let entries = topo.entries();
        let mut sc = Scenario::new(topo, vec![false; topo.servers.len()]);
        let serving: Vec<bool> = entries.iter().map(|r| sc.record_available(r)).collect();
        // An `allow broken` only leaves out a record that is broken.
        let left_out: Vec<bool> = entries
            .iter()
            .zip(&serving)
            .map(|(r, &ok)| !ok && topo.allowed_broken.as_deref() == Some(&r.subject))
            .collect();
        let judged = serving.clone();
        Judge {
            topo,
            entries,
            left_out,
            judged,
        }
    }

    /// The judged entries dark with `set` down.
    pub(crate) fn dark(&self, set: &[Elem]) -> Vec<String> {
        let mut sc = Scenario::new(self.topo, self.topo.down_with(set));
        let mut out: Vec<String> = self
            .entries
            .iter()
            .zip(&self.judged)
            .filter(|(r, &j)| j && !sc.record_available(r))
            .map(|(r, _)| r.subject.clone())
            .collect();
        out.sort();
        out
    }

    pub(crate) fn breaks(&self, set: &[Elem]) -> bool {
        !self.dark(set).is_empty()
    }

    /// Dark with nothing down and not left out, or no entry at all: the
    /// tolerance is 0 and the stack's availability 0.
    pub(crate) fn broken(&self) -> bool {
        self.entries.is_empty()
            || self
                .entries
                .iter()
                .enumerate()
                .any(|(i, _)| !self.judged[i] && !self.left_out[i])
    }

    /// Every failure set of size 1..=`max`, in a fixed order (by size, then
    /// lexicographically in declaration order).
    pub(crate) fn failure_sets(&self, max: usize) -> Vec<Vec<Elem>> {
        let all = self.topo.elements();
        let mut out = Vec::new();
        for size in 1..=max {
            let mut idx: Vec<usize> = (0..size).collect();
            if size > all.len() {
                break;
            }
            loop {
                let set: Vec<Elem> = idx.iter().map(|&i| all[i]).collect();
                if self.topo.is_failure_set(&set) {
                    out.push(set);
                }
                // Next combination.
                let mut i = size;
                while i > 0 && idx[i - 1] == all.len() - size + i - 1 {
                    i -= 1;
                }
                if i == 0 {
                    break;
                }
                idx[i - 1] += 1;
                for j in i..size {
                    idx[j] = idx[j - 1] + 1;
                }
            }
        }
        out
    }
}

/// A cut: its element names in declaration order, and the judged records
/// it darkens (sorted).
pub(crate) type BruteCut = (Vec<String>, Vec<String>);

/// §1: every minimal breaking failure set up to `max`, sorted by size then
/// declaration order; every proper subset of a cut is checked, not only
/// the ones one smaller (the model is not monotone).
pub(crate) fn cuts(j: &Judge, max: usize) -> Vec<BruteCut> {
    let mut breaking: HashMap<Vec<Elem>, bool> = HashMap::new();
    let mut out = Vec::new();
    for set in j.failure_sets(max) {
        let dark = j.dark(&set);
        breaking.insert(set.clone(), !dark.is_empty());
        if dark.is_empty() {
            continue;
        }
        let minimal = proper_subsets(&set)
            .iter()
            .all(|sub| !breaking.get(sub).copied().unwrap_or_else(|| j.breaks(sub)));
        if minimal {
            let names = set
                .iter()
                .map(|&e| j.topo.elem_name(e).to_string())
                .collect();
            out.push((names, dark));
        }
    }
    out
}

/// Every non-empty proper subset, each sorted like the set.
pub(crate) fn proper_subsets(set: &[Elem]) -> Vec<Vec<Elem>> {
    let n = set.len();
    (1..(1u32 << n) - 1)
        .map(|mask| {
            (0..n)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| set[i])
                .collect()
        })
        .collect()
}

/// §1: (tolerance, exact) with cuts searched up to `max`.
pub(crate) fn tolerance(j: &Judge, cuts: &[BruteCut], max: usize) -> (usize, bool) {
    if j.broken() {
        return (0, true);
    }
    match cuts.first() {
        Some((c, _)) => (c.len() - 1, true),
        None => (max, false),
    }
}

/// §3, by enumerating every up/down state of every element.
#[derive(Clone, Debug)]
pub(crate) struct BruteAvailability {
    /// The unavailability of each entry (subject, 1 - A).
    pub(crate) entries: Vec<(String, f64)>,
    /// Of the stack: some entry not left out is dark.
    pub(crate) stack: f64,
    /// Per element (by name): A(it always up) - A.
    pub(crate) gains: Vec<(String, f64)>,
}

pub(crate) fn availability(j: &Judge) -> BruteAvailability {
    let topo = j.topo;
    let elems = topo.elements();
    let n = elems.len();
    assert!(n <= 20, "{n} elements: too many for the brute force");
    let p_down: Vec<f64> = elems.iter().map(|&e| topo.elem_down(e)).collect();
    let mut entry_u = vec![0.0; j.entries.len()];
    let mut stack_u = 0.0;
    // Per element: the stack's unavailability summed over the states where
    // it is up, and where it is down.
    let mut s_up = vec![0.0; n];
    let mut s_down = vec![0.0; n];
    for state in 0u32..(1 << n) {
        let mut p = 1.0;
        for (i, &q) in p_down.iter().enumerate() {
            p *= if state & (1 << i) != 0 { q } else { 1.0 - q };
        }
        if p == 0.0 {
            continue;
        }
        let set: Vec<Elem> = (0..n)
            .filter(|i| state & (1 << i) != 0)
            .map(|i| elems[i])
            .collect();
        let mut sc = Scenario::new(topo, topo.down_with(&set));
        let mut stack_dark = j.entries.is_empty();
        for (k, r) in j.entries.iter().enumerate() {
            if !sc.record_available(r) {
                entry_u[k] += p;
                stack_dark |= !j.left_out[k];
            }
        }
        if stack_dark {
            stack_u += p;
            for i in 0..n {
                if state & (1 << i) != 0 {
                    s_down[i] += p;
                } else {
                    s_up[i] += p;
                }
            }
        }
    }
    // U(e up) = s_up / P(e up), so gain = U - U(e up) = s_down - s_up * q / (1 - q).
    let gains = elems
        .iter()
        .enumerate()
        .map(|(i, &e)| {
            let q = p_down[i];
            let g = if q >= 1.0 {
                1.0 - stack_u
            } else {
                s_down[i] - s_up[i] * q / (1.0 - q)
            };
            (topo.elem_name(e).to_string(), g)
        })
        .collect();
    BruteAvailability {
        entries: j
            .entries
            .iter()
            .zip(entry_u)
            .map(|(r, u)| (r.subject.clone(), u))
            .collect(),
        stack: stack_u,
        gains,
    }
}

// ---------------------------------------------------------------------------
// §4: the load flow.
// ---------------------------------------------------------------------------

/// The load on each server with `down` down: every record's `load=` split
/// evenly among its available targets, then passed on by each server along
/// each of its link lines.
pub(crate) fn flow(topo: &Topo, down: Vec<bool>) -> Vec<f64> {
    let mut f = Flow {
        sc: Scenario::new(topo, down),
        load: vec![0.0; topo.servers.len()],
    };
    for r in topo.entries() {
        if r.load == 0.0 {
            continue;
        }
        let avail: Vec<(Target, bool)> = r
            .targets
            .iter()
            .copied()
            .filter(|&(t, mysql)| f.sc.available(t, mysql, mysql))
            .collect();
        for &(t, mysql) in &avail {
            f.deliver(t, mysql, mysql, r.load / avail.len() as f64);
        }
    }
    f.load
}

struct Flow<'a> {
    sc: Scenario<'a>,
    load: Vec<f64>,
}

impl Flow<'_> {
    fn working(&mut self, g: usize) -> Vec<usize> {
        let members = self.sc.topo.groups[g].members.clone();
        members.into_iter().filter(|&m| self.sc.works(m)).collect()
    }

    fn split(&mut self, to: &[usize], x: f64) {
        for &m in to {
            self.take(m, x / to.len() as f64);
        }
    }

    /// Load `x` reaching an available target.
    fn deliver(&mut self, t: Target, mysql: bool, write: bool, x: f64) {
        let topo = self.sc.topo;
        match t {
            Target::Server(s) => self.take(s, x),
            Target::Group(gi) => {
                let g = &topo.groups[gi];
                let working = self.working(gi);
                match (mysql, g.mysql) {
                    (true, Some(m)) if write => {
                        if self.sc.works(m.primary) {
                            self.take(m.primary, x);
                        } else if m.auto {
                            self.take(working[0], x);
                        }
                    }
                    (true, Some(_)) => self.split(&working, x),
                    _ => match g.mode {
                        Mode::ActiveActive | Mode::Quorum { .. } => self.split(&working, x),
                        Mode::ActivePassive { track: true } => self.take(working[0], x),
                        Mode::ActivePassive { track: false } => {
                            let holder = g.members.iter().copied().find(|&m| self.sc.up(m));
                            self.take(holder.expect("an available holder"), x);
                        }
                    },
                }
            }
        }
    }

    /// A working server takes `x` and passes it on along each link line
    /// not held locally, split among that line's available targets.
    fn take(&mut self, s: usize, x: f64) {
        self.load[s] += x;
        let topo = self.sc.topo;
        for r in &topo.servers[s].reqs {
            let local = r
                .targets
                .iter()
                .any(|&(t, mysql)| self.sc.local(s, t, mysql && !r.read));
            if local {
                continue;
            }
            let avail: Vec<(Target, bool)> = r
                .targets
                .iter()
                .copied()
                .filter(|&(t, mysql)| self.sc.available(t, mysql, mysql && !r.read))
                .collect();
            for &(t, mysql) in &avail {
                self.deliver(t, mysql, mysql && !r.read, x / avail.len() as f64);
            }
        }
    }
}

/// §4: a server with `capacity`, its load with nothing down and its worst
/// load with nothing down or any failure set of size <= `tolerate` that
/// does not break the stack.
#[derive(Clone, Debug)]
pub(crate) struct BruteHeadroom {
    pub(crate) server: usize,
    pub(crate) capacity: f64,
    pub(crate) baseline: f64,
    pub(crate) worst: f64,
    /// The first set (in `failure_sets` order, nothing down first) with
    /// the worst load.
    pub(crate) failed: Vec<Elem>,
}

pub(crate) fn headroom(j: &Judge, tolerate: usize) -> Vec<BruteHeadroom> {
    let topo = j.topo;
    let base = flow(topo, vec![false; topo.servers.len()]);
    let mut out: Vec<BruteHeadroom> = topo
        .servers
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            s.capacity.map(|c| BruteHeadroom {
                server: i,
                capacity: c,
                baseline: base[i],
                worst: base[i],
                failed: Vec::new(),
            })
        })
        .collect();
    if out.is_empty() {
        return out;
    }
    for set in j.failure_sets(tolerate) {
        if j.breaks(&set) {
            continue;
        }
        let l = flow(topo, topo.down_with(&set));
        for h in &mut out {
            if l[h.server] > h.worst {
                h.worst = l[h.server];
                h.failed = set.clone();
            }
        }
    }
    out
}

/// The load of one server with `set` down.
pub(crate) fn load_with(topo: &Topo, set: &[Elem], server: usize) -> f64 {
    flow(topo, topo.down_with(set))[server]
}
