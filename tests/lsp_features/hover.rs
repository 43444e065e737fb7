//! Hover: servers (what goes dark), groups, zones, records, rules.

use super::*;

// ---- hover ----------------------------------------------------------------

fn hover_text(s: &Snapshot, p: Position) -> Option<String> {
    hover::at(s, p).map(|h| match h.contents {
        HoverContents::Markup(m) => m.value,
        other => panic!("{other:?}"),
    })
}

#[test]
fn hover_on_a_spof_server_says_what_goes_dark() {
    let s = snap(&case("spof.stack"));
    let h = hover_text(&s, at(&s, "db-01", 0, 2)).unwrap();
    assert_eq!(
        h,
        "**server** `db-01`: mysql (database)\n\n\
         member of group `db` · address 10.0.3.11 · primary\n\n\
         **Requires** nothing: it links to no other server.\n\n\
         **Without it** www.example.com goes dark: `www.example.com -> web -> web-01 -> db-01 (down)`"
    );
    let h = hover_text(&s, at(&s, "web-01", 0, 0)).unwrap();
    assert!(
        h.contains("**Requires**\n- `db` over mysql 3306: its primary db-01\n"),
        "{h}"
    );
    assert!(
        h.ends_with("**Redundant**: nothing goes dark when it alone is down."),
        "{h}"
    );
    // The range is the name's.
    let r = hover::at(&s, at(&s, "db-01", 0, 2)).unwrap().range.unwrap();
    assert_eq!(under(&s, r), "db-01");
}

#[test]
fn hover_on_an_allowed_spof_gives_the_reason() {
    let text = std::fs::read_to_string(root().join("samples/full-stack.stack")).unwrap();
    let s = snap(&text);
    let h = hover_text(&s, at(&s, "server payments", 0, 7)).unwrap();
    assert!(
        h.contains("**Without it** www.shop.example goes dark"),
        "{h}"
    );
    assert!(h.contains("_Allowed:_ one payment provider"), "{h}");
    let h = hover_text(&s, at(&s, "app -> payments", 0, 0)).unwrap();
    assert!(h.starts_with("**group** `app`: app · active-active"), "{h}");
    let h = hover_text(&s, at(&s, "group db", 0, 6)).unwrap();
    assert!(
        h.starts_with("**group** `db`: postgres · replicated, failover=auto\n\n**Members** (2): pg-01, pg-02\n\nvip 10.0.5.10 · primary pg-01\n\n"),
        "{h}"
    );
}

#[test]
fn hover_on_groups_zones_records_and_rules() {
    let s = snap(SMALL);
    let h = hover_text(&s, at(&s, "group lb", 0, 6)).unwrap();
    assert_eq!(
        h,
        "**group** `lb`: haproxy · active-passive\n\n\
         **Members** (2): lb-01, lb-02\n\n\
         held by lb-01 with every member up · vip 203.0.113.10\n\n\
         No member is a single point of failure."
    );
    let h = hover_text(&s, at(&s, "www", 0, 0)).unwrap();
    assert_eq!(
        h,
        "**record** `www.example.com`\n\n- A → `lb` over https 443\n\n\
         **Goes dark** without any one of: web-01\n\n**Goes dark** without zone: a"
    );
    let h = hover_text(&s, at(&s, "zone a", 0, 5)).unwrap();
    assert!(
        h.starts_with("**zone** `a`: availability 99.99 %\n\n**Servers** (2): lb-01, web-01"),
        "{h}"
    );
    assert!(
        h.contains("**Without it** www.example.com goes dark"),
        "{h}"
    );
    let h = hover_text(&s, at(&s, "spof", 0, 0)).unwrap();
    assert_eq!(
        h,
        "**spof** (error): a server whose loss alone stops the stack serving\n\n\
         `stackc explain spof` says more."
    );
    assert!(hover_text(&s, Position::new(3, 9)).is_none());
    assert!(hover_text(&s, Position::new(0, 1)).is_none());
    assert!(hover_text(&s, Position::new(400, 0)).is_none());
}

#[test]
fn hover_without_analysis_says_so() {
    let s = snap("server a: nginx 10.0.0.1\na -> nowhere\n");
    let h = hover_text(&s, Position::new(0, 7)).unwrap();
    assert!(h.contains("_Not analysed"), "{h}");
    assert!(h.contains("**Requires** nothing"), "{h}");
    // An unknown name: nothing.
    assert!(hover_text(&s, Position::new(1, 7)).is_none());
}

#[test]
fn hover_on_a_record_gives_its_availability_when_the_stack_has_an_slo() {
    let s = snap(&case("slo.stack"));
    let rec = s
        .names()
        .occurrences
        .iter()
        .find(|o| o.kind == Kind::Record)
        .unwrap()
        .span;
    let h = hover_text(&s, s.index.position(&s.text, rec.start)).unwrap();
    assert!(h.contains("**Availability** "), "{h}");
    assert!(h.ends_with(" %"), "{h}");
}

#[test]
fn hover_on_the_stack_name_gives_its_policy_and_verdict() {
    let s = snap(&case("slo.stack"));
    let h = hover_text(&s, at(&s, "stack blog", 0, 7)).unwrap();
    assert!(
        h.starts_with("**stack** `blog`\n\n2 servers · 0 groups · 0 zones · 1 record\n\n**Policy** slo=99.95\n\n**Check** 1 error, 0 warnings\n\n**Availability** 99.8"),
        "{h}"
    );
}
