//! Every request at every position; UTF-16 columns.

use super::*;

// ---- robustness -----------------------------------------------------------

/// At every character of every sample and rule case: no request panics,
/// every range lies in the text, a definition names what the cursor is on,
/// and completion of every prefix (the text typed so far) answers.
#[test]
fn every_request_at_every_position_of_every_file() {
    let mut dirs = files("samples");
    dirs.extend(files("tests/cases"));
    for (path, text) in dirs {
        let s = snap(&text);
        let ok = |r: Range| {
            let (a, b) = (s.offset(r.start), s.offset(r.end));
            assert!(a <= b && b <= text.len(), "{}: {r:?}", path.display());
        };
        for (off, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let p = s.index.position(&text, off);
            if let Some(h) = hover::at(&s, p) {
                ok(h.range.unwrap());
            }
            let here = s.names().at(off).map(|o| o.name.clone());
            if let Some(d) = goto::definition(&s, &uri(), p) {
                ok(d.range);
                let o = s.names().at(s.offset(d.range.start)).unwrap();
                assert_eq!(Some(&o.name), here.as_ref(), "{}", path.display());
            }
            for l in goto::references(&s, &uri(), p, true) {
                ok(l.range);
            }
            if let Some(r) = rename::prepare(&s, p) {
                ok(r);
                match rename::edits(&s, &uri(), p, "zq-renamed") {
                    Ok(w) => workspace_edits(&w).iter().for_each(|e| ok(e.range)),
                    Err(e) => assert!(e.contains("does not parse"), "{e}"),
                }
            }
            let _ = completion::at(&s, p);
            for a in actions::at(&s, &uri(), Range::new(p, p)) {
                let CodeActionOrCommand::CodeAction(a) = a else {
                    panic!()
                };
                workspace_edits(a.edit.as_ref().unwrap())
                    .iter()
                    .for_each(|e| ok(e.range));
            }
        }
        let good = snap(&text);
        for (off, _) in text.match_indices(['\n', ' ', '=', ':', '+']) {
            let _ = completion::in_text(&text[..off + 1], &good.checked);
        }
    }
}

#[test]
fn positions_are_utf16_after_wide_characters() {
    let text = "zone a\nserver web-01: nginx 10.0.0.1 monitor=\"é😀\" zone=a\n";
    let s = snap(text);
    let refs = goto::references(&s, &uri(), Position::new(0, 5), true);
    let col = |prefix: &str| prefix.encode_utf16().count() as u32;
    let line = text.lines().nth(1).unwrap();
    let at = col(&line[..line.rfind('a').unwrap()]);
    assert_eq!(
        refs.iter().map(|l| l.range).collect::<Vec<_>>(),
        vec![
            Range::new(Position::new(0, 5), Position::new(0, 6)),
            Range::new(Position::new(1, at), Position::new(1, at + 1)),
        ]
    );
    assert_eq!(
        at as usize,
        line.rfind('a').unwrap() - 3,
        "é is 2 bytes and 1 unit, 😀 4 bytes and 2 units"
    );
    let w = rename::edits(&s, &uri(), Position::new(1, at), "east").unwrap();
    assert_eq!(
        apply(&s, &workspace_edits(&w)),
        text.replace("zone a", "zone east")
            .replace("zone=a", "zone=east")
    );
}
