//! `stackc drift FILE DIR [--inventory INVENTORY] [--format F]` (TOOLS.md
//! §4): checks FILE, reads DIR as `stackc import` does (the same walk,
//! [`super::import::walk`], and inventory), checks the imported text and
//! prints the differences ([`stackc::drift`]) as `drift` findings on FILE
//! in any of `check`'s formats. Import warnings go to standard error.
//! Exit 0 when nothing differs, 1 on any difference, 2 when FILE or DIR
//! cannot be read or FILE does not check (a stopping error: nothing to
//! compare).

use crate::Format;
use stackc::import::{self, Warning};
use stackc::report::{self, FileReport, RunInfo};
use std::path::Path;

pub struct Args<'a> {
    pub file: &'a str,
    pub dir: &'a Path,
    pub inventory: Option<&'a Path>,
    pub format: Format,
}

pub fn run(a: &Args<'_>) -> u8 {
    let source = match super::read_input(a.file) {
        Ok(s) => s,
        Err(e) => return super::report::fail(&e.to_string()),
    };
    let walked = match super::import::walk(a.dir) {
        Ok(w) => w,
        Err(e) => return super::report::fail(&e),
    };
    let mut warnings: Vec<Warning> = walked.warnings.clone();
    let inv = match super::import::inventory_of(a.inventory, &walked, &mut warnings) {
        Ok(i) => i,
        Err(e) => return super::report::fail(&e),
    };
    let file = super::check_input(a.file, &source);
    if !file.is_sound() {
        let r = FileReport::new(a.file, &source, &file);
        super::report::refused(&r, &format!("cannot compare {}", a.file));
        return 2;
    }
    let imported = super::import::import_warned(&walked, inv.as_ref(), &mut warnings);
    let theirs = stackc::check_as(&imported.text, Some(&walked.name));
    if !theirs.is_sound() {
        super::report::warn(&format!(
            "what {} holds does not check ({} errors): `stackc import {}` shows the stack it reads",
            a.dir.display(),
            theirs.errors(),
            a.dir.display()
        ));
    }
    let shown = format!("{}/", a.dir.display().to_string().trim_end_matches('/'));
    let show = |o: &import::Origin| walked.place(o);
    let findings = stackc::drift::drift(
        &file.model,
        &stackc::drift::Imported {
            model: &theirs.model,
            text: &imported.text,
            show: &show,
            dir: &shown,
        },
    );
    let reports = [FileReport {
        path: a.file,
        source: &source,
        findings: &findings,
        suppressed: &[],
        allow_reasons: Vec::new(),
    }];
    let info = RunInfo {
        nothing_declared: vec![report::nothing_declared(&file)],
        ..RunInfo::default()
    };
    let out = super::check::render(&reports, &info, a.format);
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
        .is_err()
    {
        return 2;
    }
    u8::from(!findings.is_empty())
}
