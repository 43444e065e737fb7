//! `syntax`: the text is not valid `.stack`.
use super::RuleDoc;
use crate::diag::RuleId;

pub const DOC: RuleDoc = RuleDoc {
    id: RuleId::Syntax,
    summary: "the text is not valid .stack syntax",
    explain: "\
A statement could not be read. The message says what stackc expected at that
point (a role after `:`, a name after `->`, a quoted reason after an `allow`
subject...) and what it found instead.

Why it matters: nothing after a syntax error can be trusted, so the
availability analysis does not run until the file reads cleanly. Every bad
statement is reported in one run, with the static errors of the rest of the
file; only those the failed text could explain are left out (an
`unknown-name` for a name written in the failed statement, a `no-primary`
or `empty-group` for a group one of whose lines failed).

How to fix: write the statement as the language reference shows, e.g.

    server web-01: nginx 10.0.1.11 zone=a
    group app: app { server app-01 10.0.2.11 }
    web -> app : http 8000

A syntax error cannot be allowed.",
};
