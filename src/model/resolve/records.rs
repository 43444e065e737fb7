//! Domains and records: DNS names, their limits and address families.

use super::*;

impl Resolver {
    pub(super) fn links_and_records(&mut self, file: &ast::File) {
        let mut record_seen: HashMap<(String, &'static str), Span> = HashMap::new();
        let mut domain_seen: HashMap<String, Span> = HashMap::new();
        for stmt in &file.statements {
            self.about = self.statement_subject(stmt);
            match stmt {
                ast::Statement::Link(l) => self.link(l),
                ast::Statement::Domain(d) => {
                    if d.name.span == Span::default() {
                        continue;
                    }
                    let name = canonical_domain(&d.name.text);
                    self.check_fqdn(&name, d.name.span, "the domain");
                    if let Some(first) = domain_seen.get(&name) {
                        let same = if d.name.text == name {
                            String::new()
                        } else {
                            " (DNS names ignore case and a trailing dot)".to_string()
                        };
                        self.error(
                            Finding::new(
                                RuleId::DuplicateName,
                                d.name.span,
                                format!("the domain `{name}` is declared twice{same}"),
                            )
                            .subject(Subject::Domain(name.clone()))
                            .label("declared again here")
                            .with_label(*first, "first declared here")
                            .help("put all records of a domain in one block"),
                        );
                        continue;
                    }
                    domain_seen.insert(name.clone(), d.name.span);
                    let did = DomainId(self.m.domains.len() as u32);
                    let attrs = self.read_attrs(&d.attrs, AttrPlace::DOMAIN, RoleSet::default());
                    let mut domain = Domain {
                        name: name.clone(),
                        ttl: None,
                        span: d.name.span,
                    };
                    attrs.apply_to_domain(&mut domain);
                    self.m.domains.push(domain);
                    for rec in &d.records {
                        let rtype = match rec.rtype.text.as_str() {
                            "A" => RecordType::A,
                            "AAAA" => RecordType::Aaaa,
                            _ => RecordType::Cname,
                        };
                        let label = rec.label.text.to_ascii_lowercase();
                        let subject = if label == "@" {
                            name.clone()
                        } else {
                            format!("{label}.{name}")
                        };
                        self.about = Some(Subject::Record(subject.clone()));
                        if label != "@" {
                            self.check_fqdn(&subject, rec.label.span, "the record name");
                        }
                        if let Some(first) = record_seen.get(&(subject.clone(), rtype.as_str())) {
                            self.error(
                                Finding::new(
                                    RuleId::DuplicateName,
                                    rec.label.span,
                                    format!(
                                        "the {} record `{subject}` is declared twice",
                                        rtype.as_str()
                                    ),
                                )
                                .subject(Subject::Record(subject.clone()))
                                .label("declared again here")
                                .with_label(*first, "first declared here")
                                .help("DNS names ignore case: list every target in one record, `www A -> web-01, web-02`"),
                            );
                            continue;
                        }
                        record_seen.insert((subject.clone(), rtype.as_str()), rec.label.span);
                        if rtype == RecordType::Cname && rec.targets.len() > 1 {
                            self.error(
                                Finding::new(
                                    RuleId::BadValue,
                                    rec.span,
                                    format!(
                                        "the CNAME `{subject}` has {} targets",
                                        rec.targets.len()
                                    ),
                                )
                                .subject(Subject::Record(subject.clone()))
                                .label("a CNAME points at one name")
                                .help("use an A record for several targets"),
                            );
                        }
                        let read =
                            self.read_attrs(&rec.attrs, AttrPlace::RECORD, RoleSet::default());
                        let Some(targets) =
                            self.link_targets(&rec.targets, rec.proto.as_ref(), "a record")
                        else {
                            continue;
                        };
                        let mut record = Record {
                            domain: did,
                            label,
                            subject,
                            rtype,
                            targets,
                            span: rec.label.span,
                            load: None,
                        };
                        read.apply_to_record(&mut record);
                        self.m.records.push(record);
                    }
                }
                _ => {}
            }
        }
    }

    /// DNS limits (RFC 1035): a label is at most 63 characters, a name at
    /// most 253 (255 octets on the wire). `name` is canonical.
    pub(super) fn check_fqdn(&mut self, name: &str, span: Span, what: &str) {
        if let Some(label) = name.split('.').find(|l| l.len() > MAX_NAME) {
            self.error(
                Finding::new(
                    RuleId::BadValue,
                    span,
                    format!(
                        "the DNS label `{label}` is {} characters long; a label is at most {MAX_NAME}",
                        label.len()
                    ),
                )
                .label("label too long")
                .help("shorten the label: DNS refuses longer ones"),
            );
        } else if name.len() > MAX_FQDN {
            self.error(
                Finding::new(
                    RuleId::BadValue,
                    span,
                    format!(
                        "{what} `{name}` is {} characters long; a DNS name is at most {MAX_FQDN}",
                        name.len()
                    ),
                )
                .label("name too long")
                .help("shorten the domain or the record label: DNS refuses longer names"),
            );
        }
    }

    /// An A record publishes IPv4 addresses and an AAAA record IPv6 ones:
    /// each target must have an address of that family where the record's
    /// requests go (a vip for an active-passive group, else every member).
    pub(super) fn record_families(&mut self) {
        let mut found = Vec::new();
        for r in &self.m.records {
            let want_v4 = match r.rtype {
                RecordType::A => true,
                RecordType::Aaaa => false,
                RecordType::Cname => continue,
            };
            for t in &r.targets {
                let addrs: Vec<IpAddr> = match t.target {
                    Target::Server(s) => self.m.servers[s.index()].address.into_iter().collect(),
                    Target::Group(g) => {
                        let grp = &self.m.groups[g.index()];
                        match grp.vip {
                            Some(vip) if grp.mode == Mode::ActivePassive => vec![vip],
                            _ => grp
                                .members
                                .iter()
                                .filter_map(|s| self.m.servers[s.index()].address)
                                .collect(),
                        }
                    }
                };
                if let Some(ip) = addrs.into_iter().find(|ip| ip.is_ipv4() != want_v4) {
                    let holder = match t.target {
                        Target::Group(g) if self.m.groups[g.index()].vip == Some(ip) => {
                            format!("the vip of {}", self.m.groups[g.index()].name)
                        }
                        Target::Group(g) => self.m.groups[g.index()]
                            .members
                            .iter()
                            .map(|s| &self.m.servers[s.index()])
                            .find(|s| s.address == Some(ip))
                            .map_or_else(String::new, |s| s.name.clone()),
                        Target::Server(_) => String::new(),
                    };
                    let holder = if holder.is_empty() {
                        holder
                    } else {
                        format!(" ({holder})")
                    };
                    found.push(
                        Finding::new(
                            RuleId::BadValue,
                            t.span,
                            format!(
                                "the {} record `{}` points at {}, whose address {ip}{holder} is {}",
                                r.rtype.as_str(),
                                r.subject,
                                self.m.target_name(t.target),
                                if ip.is_ipv4() { "IPv4" } else { "IPv6" }
                            ),
                        )
                        .subject(Subject::Record(r.subject.clone()))
                        .label("wrong address family")
                        .help(if want_v4 {
                            "an A record holds IPv4 addresses: use an AAAA record for IPv6 ones"
                        } else {
                            "an AAAA record holds IPv6 addresses: use an A record for IPv4 ones"
                        }),
                    );
                }
            }
        }
        self.out.extend(found);
    }
}
