//! Model against model: the comparison without the readers.

use super::*;

const FILE: &str = include_str!("../../samples/full-stack.stack");

/// The drift findings of `file` against `dir` (both `.stack` texts).
fn drift_of(file: &str, dir: &str) -> Vec<Finding> {
    let f = crate::check(file);
    let d = crate::check(dir);
    let show = |o: &crate::import::Origin| format!("fetched/{}{}", o.host, o.path);
    drift(
        &f.model,
        &Imported {
            model: &d.model,
            text: dir,
            show: &show,
            dir: "fetched/",
        },
    )
}

fn messages(f: &[Finding]) -> Vec<String> {
    f.iter()
        .map(|f| format!("{} {}", f.subject_name().unwrap_or("-"), f.message))
        .collect()
}

#[test]
fn a_file_against_itself_reports_nothing() {
    for s in [
        FILE,
        include_str!("../../samples/scale-up.stack"),
        include_str!("../../samples/distributed.stack"),
        include_str!("../../samples/single-box.stack"),
    ] {
        assert!(drift_of(s, s).is_empty(), "{:?}", messages(&drift_of(s, s)));
    }
}

#[test]
fn a_backend_member_missing_is_one_finding_on_its_line() {
    let dir = FILE.replace(
        "  server web-02 10.0.1.12 zone=b\n}",
        "}\n# from: web-02:/etc/nginx/nginx.conf\nserver web-02: nginx 10.0.1.12",
    );
    let got = drift_of(FILE, &dir);
    assert_eq!(got.len(), 1, "{:?}", messages(&got));
    assert_eq!(
        got[0].message,
        "web-02 is a member of web in the file, not of web in fetched/"
    );
    assert_eq!(got[0].subject, Some(Subject::Server("web-02".into())));
    assert_eq!(&FILE[got[0].span.start..got[0].span.end], "web-02");
}

#[test]
fn a_vip_changed_names_both_values_and_the_file() {
    let dir = FILE.replace(
        "group lb: haproxy mode=active-passive vip=203.0.113.20",
        "# from: lb-01:/etc/keepalived/keepalived.conf:9; lb-02:/etc/keepalived/keepalived.conf:9,12\ngroup lb: haproxy mode=active-passive vip=203.0.113.99",
    );
    let got = drift_of(FILE, &dir);
    assert_eq!(messages(&got), ["lb the vip of lb is 203.0.113.20 in the file, 203.0.113.99 in fetched/ (from fetched/lb-01/etc/keepalived/keepalived.conf:9, fetched/lb-02/etc/keepalived/keepalived.conf:9,12)"]);
    assert_eq!(&FILE[got[0].span.start..got[0].span.end], "lb");
    assert_eq!(got[0].rule, RuleId::Drift);
}

#[test]
fn a_replica_following_another_primary() {
    let dir = FILE
        .replace(
            "server pg-01 10.0.5.11 zone=a primary",
            "server pg-01 10.0.5.11 zone=a",
        )
        .replace(
            "server pg-02 10.0.5.12 zone=b",
            "server pg-02 10.0.5.12 zone=b primary",
        );
    let got = drift_of(FILE, &dir);
    assert_eq!(
        messages(&got),
        ["db the primary of db is pg-01 in the file, pg-02 in fetched/"]
    );
}

#[test]
fn servers_and_records_on_one_side_only_and_changed() {
    // DIR lacks reports-01, has a third web server, moves cache-01, makes
    // web-01 also an app, lacks the record and has another.
    let dir = FILE
        .replace(
            "server reports-01: mysql 10.0.6.11 zone=b firewall monitor=agent\n",
            "",
        )
        .replace("app -> reports-01 : mysql read optional\n", "")
        .replace(
            "  server web-02 10.0.1.12 zone=b\n",
            "  server web-02 10.0.1.12 zone=b\n  server web-03 10.0.1.13 zone=b\n",
        )
        .replace(
            "cache-01: memcached 10.0.3.11",
            "cache-01: memcached 10.0.3.99",
        )
        .replace("  www A -> lb : https\n", "  shop A -> lb : https\n");
    let got = messages(&drift_of(FILE, &dir));
    assert_eq!(
        got,
        [
            // On the domain block, which comes first.
            "shop.shop.example fetched/ has the record shop.shop.example A (to lb-01, lb-02), the file does not",
            "www.shop.example the record www.shop.example A is in the file, but no zone file of fetched/ has it",
            "web-03 fetched/ has the server web-03 (nginx, 10.0.1.13), the file does not",
            "cache-01 the address of cache-01 is 10.0.3.11 in the file, 10.0.3.99 in fetched/",
            "reports-01 reports-01 (mysql, 10.0.6.11) is in the file, but fetched/ has no host or config naming it",
        ],
    );
}

#[test]
fn groups_named_otherwise_match_by_their_members() {
    // The import names the backend's group after the backend.
    let dir = FILE
        .replace("group web: nginx", "group be_web: nginx")
        .replace("lb -> web", "lb -> be_web");
    assert!(drift_of(FILE, &dir).is_empty());
    let dir = dir.replace("group lb: haproxy", "group lbs: haproxy");
    let dir = dir
        .replace("-> lb :", "-> lbs :")
        .replace("lb -> be_web", "lbs -> be_web");
    assert!(
        drift_of(FILE, &dir).is_empty(),
        "{:?}",
        messages(&drift_of(FILE, &dir))
    );
}

#[test]
fn a_record_to_a_group_is_a_record_to_its_members() {
    let file = "domain d.example { www A -> web : http }\ngroup web: nginx {\n  server web-01 10.0.0.1\n  server web-02 10.0.0.2\n}\n";
    let dir = "domain d.example {\n  www A -> web-01, web-02 : http\n}\nserver web-01: nginx 10.0.0.1\nserver web-02: nginx 10.0.0.2\n";
    let got = messages(&drift_of(file, dir));
    // The group is not in DIR; the record agrees.
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].starts_with("web the group web"), "{got:?}");
    let moved = dir.replace("web-01, web-02 : http", "web-01 : http");
    let got = messages(&drift_of(file, &moved));
    assert!(
        got.contains(&"www.d.example the record www.d.example A points to web-01, web-02 in the file, to web-01 in fetched/".to_string()),
        "{got:?}"
    );
}

#[test]
fn a_group_only_in_the_file_and_roles_changed() {
    let dir = FILE
        .replace("group queue: rabbitmq firewall monitor=agent {\n", "")
        .replace(
            "  server mq-02 10.0.7.12 zone=b\n}\n",
            "  server mq-02 10.0.7.12 zone=b\n",
        )
        .replace(
            "  server mq-01 10.0.7.11 zone=a\n",
            "server mq-01: rabbitmq 10.0.7.11\n",
        )
        .replace(
            "  server mq-02 10.0.7.12 zone=b\n",
            "server mq-02: rabbitmq+redis 10.0.7.12\n",
        )
        .replace("app -> queue : amqp", "app -> mq-01 : amqp");
    let got = messages(&drift_of(FILE, &dir));
    assert_eq!(
        got,
        [
            "queue the group queue (mq-01, mq-02) is in the file, but no config of fetched/ groups these servers",
            "mq-02 mq-02 runs rabbitmq in the file, redis+rabbitmq in fetched/",
        ],
        "{got:?}"
    );
}

#[test]
fn groups_matched_by_members_in_linear_time() {
    let n = 2_000;
    let mut file = String::new();
    for i in 0..n {
        file.push_str(&format!(
            "group g{i}: nginx {{\n  server a{i} 10.{}.{}.1\n  server b{i} 10.{}.{}.2\n}}\n",
            i / 250,
            i % 250,
            i / 250,
            i % 250
        ));
    }
    // The import names every group otherwise.
    let dir = file.replace("group g", "group pool_");
    let start = std::time::Instant::now();
    let got = drift_of(&file, &dir);
    assert!(got.is_empty(), "{:?}", &messages(&got)[..3.min(got.len())]);
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}
