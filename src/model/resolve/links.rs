//! Links: sources, targets and their attributes.

use super::*;

impl Resolver {
    pub(super) fn link(&mut self, l: &ast::LinkStmt) {
        // A link finding is about its source server (CLI.md).
        if let Some(first) = l.sources.first() {
            self.about = Some(match self.names.get(&first.text) {
                Some((Name::Group(g), _)) => self.m.groups[g.index()].members.first().map_or_else(
                    || Subject::Group(first.text.clone()),
                    |s| Subject::Server(self.m.servers[s.index()].name.clone()),
                ),
                _ => self.named(&first.text),
            });
        }
        let mut sources = Vec::new();
        let mut ok = true;
        for s in &l.sources {
            match self.lookup_target(s, "a link") {
                Some(t) => sources.push(t),
                None => ok = false,
            }
        }
        let targets = self.link_targets(&l.targets, l.proto.as_ref(), "a link");
        let attrs = self.read_attrs(&l.attrs, AttrPlace::LINK, RoleSet::default());
        let read = attrs.key_span("read");
        if let (Some(span), Some(targets)) = (read, &targets) {
            if let Some(t) = targets
                .first()
                .filter(|_| targets.iter().all(|t| !t.protocol.is_data()))
            {
                self.error(
                    Finding::new(
                        RuleId::IgnoredAttribute,
                        span,
                        format!(
                            "`read` changes nothing on {} link: only a link in a data protocol ({}) reads or writes",
                            t.protocol.a(),
                            roles::listed(Protocol::ALL.iter().filter(|p| p.is_data()).map(|p| p.as_str()), "or")
                        ),
                    )
                    .label("ignored")
                    .help("remove `read`, or name the target's data protocol (`: mysql read`, `: postgres read`) if the link goes to a database or store"),
                );
            }
        }
        let (Some(targets), true) = (targets, ok) else {
            return;
        };
        let mut from = Vec::new();
        let mut seen = HashSet::new();
        for t in &sources {
            for s in self.m.target_members(t) {
                if seen.insert(*s) {
                    from.push(*s);
                }
            }
        }
        let mut link = Link {
            sources,
            from,
            targets,
            read: false,
            optional: false,
            explicit_protocol: l.proto.is_some(),
            span: l.span,
        };
        attrs.apply_to_link(&mut link);
        self.m.links.push(link);
    }
}
