//! Allows: the rule and the subject an `allow` names.

use super::*;

impl Resolver {
    // ---- allows -------------------------------------------------------------

    pub(super) fn allows(&mut self, file: &ast::File) {
        for stmt in &file.statements {
            let ast::Statement::Allow(a) = stmt else {
                continue;
            };
            self.about = self.statement_subject(stmt);
            let rule = match a.rule.text.parse::<RuleId>() {
                Ok(r) if r.phase() != Phase::Analysis => {
                    self.error(
                        Finding::new(RuleId::BadValue, a.rule.span, format!("`{}` cannot be allowed: only the findings of the analysis can", a.rule.text))
                            .label("cannot be allowed")
                            .help("static errors leave the file wrong (the book's Rules page lists them): fix the file instead"),
                    );
                    None
                }
                Ok(r) => Some(r),
                Err(()) => {
                    let names = RuleId::ALL
                        .iter()
                        .filter(|r| r.phase() != Phase::Static)
                        .map(|r| r.as_str());
                    let help = did_you_mean(&a.rule.text, names)
                        .unwrap_or_else(|| "`stackc explain` lists the rules".into());
                    self.error(
                        Finding::new(
                            RuleId::BadValue,
                            a.rule.span,
                            format!("`{}` is not a rule", a.rule.text),
                        )
                        .label("unknown rule")
                        .help(help),
                    );
                    None
                }
            };
            if a.reason.text.trim().is_empty() {
                self.error(
                    Finding::new(RuleId::BadValue, a.reason.span, "an allow needs a reason")
                        .label("empty reason")
                        .help("say why the finding is accepted, so the next reader knows"),
                );
            }
            if a.subject.text.contains('+') {
                let subject = self.cut_subject(a, rule);
                self.m.allows.push(Allow {
                    rule,
                    subject,
                    reason: a.reason.text.clone(),
                    span: a.span,
                });
                continue;
            }
            // A record is named in any case, with or without the final dot.
            let subject = if self.names.contains_key(&a.subject.text) {
                a.subject.text.clone()
            } else {
                canonical_domain(&a.subject.text)
            };
            let subj = subject.as_str();
            let known =
                self.names.contains_key(subj) || self.m.records.iter().any(|r| r.subject == subj);
            if !known {
                let cands = self
                    .names
                    .keys()
                    .map(String::as_str)
                    .chain(self.m.records.iter().map(|r| r.subject.as_str()));
                let mut f = Finding::new(
                    RuleId::UnknownName,
                    a.subject.span,
                    format!("the allow names `{subj}`, which is not declared"),
                )
                .subject(Subject::Undeclared(subj.to_string()))
                .label("names nothing");
                if let Some(h) = did_you_mean(subj, cands) {
                    f = f.help(h);
                } else {
                    f = f
                        .help("an allow names a server, group, zone or record (`www.example.com`)");
                }
                self.error(f);
            }
            let subject = if self.m.records.iter().any(|r| r.subject == subj) {
                Subject::Record(subj.to_string())
            } else {
                self.named(subj)
            };
            self.m.allows.push(Allow {
                rule,
                subject,
                reason: a.reason.text.clone(),
                span: a.span,
            });
        }
    }

    /// `a+b`: a failure set of servers and zones, for `allow cut-set`
    /// (RESILIENCE.md §2); each part must be one, and the rule `cut-set`.
    fn cut_subject(&mut self, a: &ast::AllowStmt, rule: Option<RuleId>) -> Subject {
        let text = &a.subject.text;
        if rule.is_some_and(|r| r != RuleId::CutSet) {
            self.error(
                Finding::new(
                    RuleId::BadValue,
                    a.subject.span,
                    format!("`{text}` names a set of elements, which only `cut-set` findings have"),
                )
                .label("a set")
                .help("allow one element at a time, or write `allow cut-set` for a cut"),
            );
        }
        let mut elements: Vec<(usize, Subject)> = Vec::new();
        for part in text.split('+') {
            match self.names.get(part) {
                Some((Name::Server(s), _)) => {
                    let s = &self.m.servers[s.index()];
                    elements.push((s.span.start, Subject::Server(s.name.clone())));
                }
                Some((Name::Zone, span)) => {
                    elements.push((span.start, Subject::Zone(part.to_string())))
                }
                Some(_) => self.error(
                    Finding::new(
                        RuleId::BadValue,
                        a.subject.span,
                        format!(
                            "`{part}` in `{text}` is a group: a cut is made of servers and zones"
                        ),
                    )
                    .label("not a server or zone")
                    .help("name the members of the cut one by one, as `check` prints them"),
                ),
                None => {
                    let cands = self
                        .m
                        .servers
                        .iter()
                        .map(|s| s.name.as_str())
                        .chain(self.m.zones.iter().map(|z| z.name.as_str()));
                    let help = did_you_mean(part, cands)
                        .unwrap_or_else(|| "a cut names servers and zones joined by `+`".into());
                    self.error(
                        Finding::new(
                            RuleId::UnknownName,
                            a.subject.span,
                            format!("the allow names `{part}`, which is not declared"),
                        )
                        .subject(Subject::Undeclared(part.to_string()))
                        .label("names nothing")
                        .help(help),
                    );
                }
            }
        }
        elements.sort_by_key(|(at, _)| *at);
        elements.dedup();
        let elements: Vec<Subject> = elements.into_iter().map(|(_, s)| s).collect();
        let name = elements
            .iter()
            .map(Subject::name)
            .collect::<Vec<_>>()
            .join("+");
        Subject::Cut { name, elements }
    }
}
