//! HAProxy's configuration language, as far as the reader needs it: the
//! sections (`global`, `defaults`, `frontend`, `backend`, `listen`; others
//! are skipped), each proxy's `mode`, `bind`s, backends named by
//! `default_backend`/`use_backend`, `server` lines and the settings that
//! say what a proxy is for (`stats`, `monitor-uri`, `monitor fail`,
//! redirects, health-check options). Every other directive is ignored.
//!
//! The parser is written here rather than taken from a crate: the one
//! maintained crate, `haproxy-config` 0.4 (a `peg` grammar), refuses files
//! with lines it does not know and a `defaults` section with most real
//! settings, and keeps no line numbers, while the reader must tolerate
//! everything and cite each line it uses.

use std::collections::BTreeMap;
use std::net::IpAddr;

/// Where a `bind` or a `server` points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    /// No address, `*`, `0.0.0.0` or `::`: every address of the host.
    Any,
    Addr(IpAddr),
    /// A DNS name (servers only).
    Name(String),
    /// A UNIX socket, `fd@`, `abns@`...: not a network address.
    Other,
}

/// One `bind ADDR:PORT [ssl crt ...]` (one per address of a list).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bind {
    pub host: Host,
    /// `None` for sockets; the first port of a range.
    pub port: Option<u16>,
    pub tls: bool,
    pub line: u32,
}

/// One `server NAME ADDR[:PORT] [params]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    pub name: String,
    pub host: Host,
    pub port: Option<u16>,
    pub backup: bool,
    /// `ssl` on the line, or on a `default-server` before it (and no
    /// `no-ssl`).
    pub tls: bool,
    pub line: u32,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Frontend,
    Backend,
    Listen,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Http,
    Tcp,
}

/// The settings a `defaults` section hands on.
#[derive(Clone, Debug, Default)]
struct Defaults {
    mode: Option<Mode>,
    server_tls: bool,
    check: Option<&'static str>,
    /// A `default_backend` in `defaults` (HAProxy allows it there).
    default_backend: Option<(String, u32)>,
}

/// One `frontend`, `backend` or `listen` section.
#[derive(Clone, Debug)]
pub struct Proxy {
    pub kind: Kind,
    pub name: String,
    pub file: usize,
    pub line: u32,
    pub mode: Mode,
    pub binds: Vec<Bind>,
    /// `default_backend` and every `use_backend` (in order, each once),
    /// with their lines.
    pub backends: Vec<(String, u32)>,
    pub servers: Vec<Server>,
    /// `stats enable`/`stats uri`, `monitor-uri`, the Prometheus exporter:
    /// a proxy that answers for HAProxy itself.
    pub stats: bool,
    pub monitor_uri: Option<String>,
    /// A `monitor fail` condition (the monitor fails with the backends).
    pub monitor_fail: bool,
    /// An unconditional redirect (`redirect ...`, `http-request redirect`
    /// without `if`/`unless`): the proxy routes nowhere by design.
    pub redirects: bool,
    /// The protocol a health-check option names (`option mysql-check`).
    pub check: Option<&'static str>,
    /// `server-template` and dynamic `use_backend` names: lines the reader
    /// cannot turn into members or pools.
    pub unread: Vec<(u32, String)>,
    /// The `default_backend` of the `defaults` section, with its line: used
    /// when the proxy names none (the line is cited in the proxy's file,
    /// which is that section's unless `-f` files split them).
    pub inherited: Option<(String, u32)>,
    /// The proxy has its own `default_backend`.
    pub default_named: bool,
}

/// A parsed set of files (the order HAProxy loads them in).
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub proxies: Vec<Proxy>,
}

impl Config {
    /// The proxies that can be backends, by name (the first of a name).
    pub fn backends(&self) -> BTreeMap<&str, &Proxy> {
        let mut out = BTreeMap::new();
        for p in self.proxies.iter().filter(|p| p.kind != Kind::Frontend) {
            out.entry(p.name.as_str()).or_insert(p);
        }
        out
    }

    pub fn backend(&self, name: &str) -> Option<&Proxy> {
        self.backends().get(name).copied()
    }
}

/// Splits a line into words: whitespace-separated, with `"..."` and
/// `'...'` quoting and `\` escapes.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut quote = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (_, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                has = true;
            }
            (None, '"' | '\'') => {
                quote = Some(c);
                has = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if has {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            (_, c) => {
                cur.push(c);
                has = true;
            }
        }
    }
    if has {
        out.push(cur);
    }
    out
}

/// `ADDR:PORT`, `[v6]:PORT`, `:PORT`, `*:PORT`, `ipv4@...`, or an address
/// alone (a server may have no port: it takes the client's). A bind has a
/// port: its last colon always starts it, as in HAProxy (`:::443`); a
/// server's whole text that is an address has none.
pub fn host_port(s: &str, bind: bool) -> (Host, Option<u16>) {
    let s = s
        .strip_prefix("ipv4@")
        .or_else(|| s.strip_prefix("ipv6@"))
        .or_else(|| s.strip_prefix("tcp@"))
        .or_else(|| s.strip_prefix("tcp4@"))
        .or_else(|| s.strip_prefix("tcp6@"))
        .unwrap_or(s);
    if s.starts_with('/') || s.contains('@') {
        return (Host::Other, None);
    }
    let port = |p: &str| -> Option<u16> {
        let p = p.split('-').next().unwrap_or(p);
        p.trim_start_matches('+').parse().ok()
    };
    let host = |h: &str| -> Host {
        match h {
            "" | "*" => Host::Any,
            h => match h.parse::<IpAddr>() {
                Ok(a) if a.is_unspecified() => Host::Any,
                Ok(a) => Host::Addr(a),
                Err(_) => Host::Name(h.to_string()),
            },
        }
    };
    if let Some(rest) = s.strip_prefix('[') {
        if let Some((h, tail)) = rest.split_once(']') {
            return (host(h), tail.strip_prefix(':').and_then(port));
        }
    }
    if let (false, Ok(a)) = (bind, s.parse::<IpAddr>()) {
        // An address with no port (`10.0.0.1`, `2001:db8::1`).
        return (host(&a.to_string()), None);
    }
    match s.rsplit_once(':') {
        Some((h, p)) => (host(h), port(p)),
        None => (host(s), None),
    }
}

const SECTIONS: &[&str] = &[
    "global",
    "defaults",
    "frontend",
    "backend",
    "listen",
    "userlist",
    "peers",
    "resolvers",
    "mailers",
    "program",
    "http-errors",
    "ring",
    "cache",
    "crt-store",
    "traces",
    "log-forward",
    "fcgi-app",
];

/// The protocol a health-check option names.
fn check_option(w: &[String]) -> Option<&'static str> {
    match (w.first()?.as_str(), w.get(1)?.as_str()) {
        ("option", "mysql-check") => Some("mysql"),
        ("option", "pgsql-check") => Some("postgres"),
        ("option", "redis-check") => Some("redis"),
        ("option", "httpchk") => Some("http"),
        _ => None,
    }
}

/// Parses `files` (path, text), in order, as one configuration (HAProxy
/// reads several `-f` files as one).
pub fn parse(files: &[(&str, &str)]) -> Config {
    let mut cfg = Config::default();
    let mut named: BTreeMap<String, Defaults> = BTreeMap::new();
    let mut defaults = Defaults::default();
    // What the current section is: a proxy (index), a defaults section, or
    // a section the reader skips.
    enum Cur {
        Proxy(usize),
        Defaults,
        Skip,
    }
    for (fi, (_, text)) in files.iter().enumerate() {
        let mut cur = Cur::Skip;
        // Within a proxy: `default-server ssl`.
        let mut server_tls = false;
        let mut defaults_name: Option<String> = None;
        for (ln, line) in super::lines(text, '#') {
            let w = words(line);
            let Some(first) = w.first().map(String::as_str) else {
                continue;
            };
            if SECTIONS.contains(&first) {
                let name = w.get(1).cloned().unwrap_or_default();
                let from = w
                    .iter()
                    .position(|x| x == "from")
                    .and_then(|i| w.get(i + 1))
                    .and_then(|n| named.get(n))
                    .cloned();
                let kind = match first {
                    "frontend" => Kind::Frontend,
                    "backend" => Kind::Backend,
                    "listen" => Kind::Listen,
                    "defaults" => {
                        defaults = from.unwrap_or_default();
                        defaults_name = (!name.is_empty() && name != "from").then_some(name);
                        if let Some(n) = &defaults_name {
                            named.insert(n.clone(), defaults.clone());
                        }
                        cur = Cur::Defaults;
                        continue;
                    }
                    _ => {
                        cur = Cur::Skip;
                        continue;
                    }
                };
                let d = from.unwrap_or_else(|| defaults.clone());
                server_tls = d.server_tls;
                let mut p = Proxy {
                    kind,
                    name,
                    file: fi,
                    line: ln,
                    mode: d.mode.unwrap_or_default(),
                    binds: Vec::new(),
                    backends: Vec::new(),
                    servers: Vec::new(),
                    stats: false,
                    monitor_uri: None,
                    monitor_fail: false,
                    redirects: false,
                    check: d.check,
                    unread: Vec::new(),
                    inherited: None,
                    default_named: false,
                };
                // The old `listen NAME ADDR:PORT` form.
                if kind == Kind::Listen {
                    if let Some(a) = w.get(2) {
                        bind(&mut p, a, &[], ln);
                    }
                }
                if kind != Kind::Backend {
                    p.inherited = d.default_backend.clone();
                }
                cfg.proxies.push(p);
                cur = Cur::Proxy(cfg.proxies.len() - 1);
                continue;
            }
            match cur {
                Cur::Skip => {}
                Cur::Defaults => match first {
                    "mode" => defaults.mode = mode(&w).or(defaults.mode),
                    "default-server" => defaults.server_tls = tls_of(&w[1..], defaults.server_tls),
                    "default_backend" => {
                        defaults.default_backend = w.get(1).map(|b| (b.clone(), ln))
                    }
                    _ => {
                        if let Some(c) = check_option(&w) {
                            defaults.check = Some(c);
                        }
                    }
                },
                Cur::Proxy(i) => {
                    let p = &mut cfg.proxies[i];
                    directive(p, &w, ln, &mut server_tls);
                }
            }
            // Keep the named copy of the defaults section being read.
            if let (Cur::Defaults, Some(n)) = (&cur, &defaults_name) {
                named.insert(n.clone(), defaults.clone());
            }
        }
    }
    for p in &mut cfg.proxies {
        if !p.default_named {
            if let Some(b) = p.inherited.clone() {
                p.backends.push(b);
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        p.backends.retain(|(n, _)| seen.insert(n.clone()));
    }
    cfg
}

fn mode(w: &[String]) -> Option<Mode> {
    match w.get(1).map(String::as_str) {
        Some("http") => Some(Mode::Http),
        Some("tcp") => Some(Mode::Tcp),
        _ => None,
    }
}

/// `ssl` turns TLS on, `no-ssl` off; otherwise `current`.
fn tls_of(params: &[String], current: bool) -> bool {
    let mut tls = current;
    for p in params {
        match p.as_str() {
            "ssl" => tls = true,
            "no-ssl" => tls = false,
            _ => {}
        }
    }
    tls
}

/// Whether a rule has a condition (`if`/`unless`).
fn conditional(w: &[String]) -> bool {
    w.iter().any(|x| x == "if" || x == "unless")
}

fn bind(p: &mut Proxy, addrs: &str, params: &[String], line: u32) {
    let tls = params.iter().any(|x| x == "ssl");
    for a in addrs.split(',').filter(|a| !a.is_empty()) {
        let (host, port) = host_port(a, true);
        p.binds.push(Bind {
            host,
            port,
            tls,
            line,
        });
    }
}

fn directive(p: &mut Proxy, w: &[String], ln: u32, server_tls: &mut bool) {
    let first = w[0].as_str();
    let second = w.get(1).map(String::as_str);
    match first {
        "mode" => p.mode = mode(w).unwrap_or(p.mode),
        "bind" => {
            if let Some(a) = w.get(1) {
                bind(p, a, &w[2..], ln);
            }
        }
        "default_backend" | "use_backend" => {
            p.default_named |= first == "default_backend";
            if let Some(b) = w.get(1) {
                if b.contains("%[") {
                    p.unread
                        .push((ln, format!("a backend chosen at run time ({b})")));
                } else {
                    // Repeats are dropped once the section is read.
                    p.backends.push((b.clone(), ln));
                }
            }
        }
        "default-server" => *server_tls = tls_of(&w[1..], *server_tls),
        "server" => {
            if let (Some(name), Some(addr)) = (w.get(1), w.get(2)) {
                let (host, port) = host_port(addr, false);
                let params = &w[3..];
                p.servers.push(Server {
                    name: name.clone(),
                    host,
                    port,
                    backup: params.iter().any(|x| x == "backup"),
                    tls: tls_of(params, *server_tls),
                    line: ln,
                });
            }
        }
        "server-template" => p.unread.push((
            ln,
            "a `server-template` (its servers come from DNS at run time)".into(),
        )),
        "stats" if matches!(second, Some("enable" | "uri")) => p.stats = true,
        "monitor-uri" => p.monitor_uri = w.get(1).cloned(),
        "monitor" if second == Some("fail") => p.monitor_fail = true,
        "redirect" if !conditional(w) => p.redirects = true,
        "http-request" if second == Some("redirect") && !conditional(w) => p.redirects = true,
        "http-request"
            if second == Some("use-service")
                && w.get(2)
                    .is_some_and(|s| s.starts_with("prometheus-exporter")) =>
        {
            p.stats = true
        }
        _ => {
            if let Some(c) = check_option(w) {
                p.check = Some(c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_quote_and_escape() {
        assert_eq!(
            words(r#"http-request set-header X "a b" 'c' d\ e"#),
            ["http-request", "set-header", "X", "a b", "c", "d e"]
        );
    }

    #[test]
    fn addresses_of_binds_and_servers() {
        let a = |s: &str| Host::Addr(s.parse().unwrap());
        assert_eq!(host_port(":80", true), (Host::Any, Some(80)));
        assert_eq!(host_port("*:443", true), (Host::Any, Some(443)));
        assert_eq!(host_port("0.0.0.0:80", true), (Host::Any, Some(80)));
        assert_eq!(host_port(":::443", true), (Host::Any, Some(443)));
        assert_eq!(host_port("[::]:443", true), (Host::Any, Some(443)));
        assert_eq!(
            host_port("10.0.0.1:8080", false),
            (a("10.0.0.1"), Some(8080))
        );
        assert_eq!(
            host_port("[2001:db8::1]:443", false),
            (a("2001:db8::1"), Some(443))
        );
        assert_eq!(
            host_port("ipv6@2001:db8::1:443", true),
            (a("2001:db8::1"), Some(443))
        );
        assert_eq!(host_port("10.0.0.1", false), (a("10.0.0.1"), None));
        assert_eq!(host_port("2001:db8::1", false), (a("2001:db8::1"), None));
        assert_eq!(
            host_port("10.0.0.1:8000-8009", true),
            (a("10.0.0.1"), Some(8000))
        );
        assert_eq!(
            host_port("web-01.example:80", false),
            (Host::Name("web-01.example".into()), Some(80))
        );
        assert_eq!(host_port("/run/haproxy.sock", true), (Host::Other, None));
        assert_eq!(host_port("unix@/run/x.sock", true), (Host::Other, None));
    }

    #[test]
    fn defaults_hand_on_mode_and_default_server() {
        let cfg = parse(&[(
            "/etc/haproxy/haproxy.cfg",
            "defaults\n\tmode tcp\n\tdefault-server ssl verify none\nbackend b\n\tserver s1 10.0.0.1:443\n\tserver s2 10.0.0.2:443 no-ssl backup\nlisten l 10.0.0.9:3306\n\tmode tcp\n\toption mysql-check user x\n",
        )]);
        let b = cfg.backend("b").unwrap();
        assert_eq!(b.mode, Mode::Tcp);
        assert!(b.servers[0].tls && !b.servers[0].backup);
        assert!(!b.servers[1].tls && b.servers[1].backup);
        let l = cfg.backend("l").unwrap();
        assert_eq!(l.binds[0].port, Some(3306));
        assert_eq!(l.check, Some("mysql"));
    }

    #[test]
    fn named_defaults_and_from() {
        let cfg = parse(&[(
            "/x.cfg",
            "defaults web\n mode http\ndefaults db\n mode tcp\nbackend a from web\n server s 10.0.0.1:80\nbackend b\n server s 10.0.0.1:5432\n",
        )]);
        assert_eq!(cfg.backend("a").unwrap().mode, Mode::Http);
        // The last defaults section is the implicit one.
        assert_eq!(cfg.backend("b").unwrap().mode, Mode::Tcp);
    }

    #[test]
    fn what_a_proxy_is_for() {
        let cfg = parse(&[(
            "/x.cfg",
            "frontend mon\n bind 127.0.0.1:8404\n monitor-uri /m\n monitor fail if { nbsrv(b) lt 1 }\nlisten stats\n bind :8080\n stats enable\n stats uri /\nfrontend r\n bind :80\n http-request redirect scheme https code 301\nfrontend c\n bind :81\n http-request redirect scheme https if !{ ssl_fc }\n use_backend b if { path_beg /api }\n use_backend %[req.hdr(host)]\n default_backend b\nbackend b\n server-template s 3 web.example:80\n",
        )]);
        let p = |n: &str| cfg.proxies.iter().find(|p| p.name == n).unwrap();
        assert!(p("mon").monitor_fail && p("mon").monitor_uri.as_deref() == Some("/m"));
        assert!(p("stats").stats);
        assert!(p("r").redirects);
        assert!(!p("c").redirects);
        assert_eq!(p("c").backends, [("b".to_string(), 15)]);
        assert_eq!(p("c").unread.len(), 1);
        assert_eq!(p("b").unread.len(), 1);
    }

    #[test]
    fn a_default_backend_in_defaults() {
        let cfg = parse(&[(
            "/x.cfg",
            "defaults\n mode http\n default_backend web\nfrontend a\n bind :80\nfrontend b\n bind :81\n use_backend api if { path_beg /api }\nfrontend c\n bind :82\n default_backend api\nbackend web\n server w 10.0.0.1:80\nbackend api\n server a 10.0.0.2:80\n",
        )]);
        let p = |n: &str| {
            let p = cfg.proxies.iter().find(|p| p.name == n).unwrap();
            p.backends
                .iter()
                .map(|(b, l)| (b.as_str(), *l))
                .collect::<Vec<_>>()
        };
        assert_eq!(p("a"), [("web", 3)]);
        assert_eq!(p("b"), [("api", 8), ("web", 3)]);
        assert_eq!(p("c"), [("api", 11)]);
        assert!(p("web").is_empty());
    }
}
