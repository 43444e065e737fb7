use super::*;

fn records(f: &Facts) -> Vec<(String, String, String, String, Option<u32>)> {
    f.facts
        .iter()
        .filter_map(|(_, x, _)| match x {
            Fact::Record {
                domain,
                label,
                rtype,
                value,
                ttl,
            } => Some((
                domain.clone(),
                label.clone(),
                rtype.clone(),
                value.clone(),
                *ttl,
            )),
            _ => None,
        })
        .collect()
}

fn r(
    d: &str,
    l: &str,
    t: &str,
    v: &str,
    ttl: Option<u32>,
) -> (String, String, String, String, Option<u32>) {
    (d.into(), l.into(), t.into(), v.into(), ttl)
}

#[test]
fn a_bundles_dns_folder() {
    let mut h = HostFiles::new("dns");
    h.insert(
        "/shop.example.zone",
        Entry::Text(
            "; Generated\n$ORIGIN shop.example.\n$TTL 300\n@ IN SOA ns1.invalid. hostmaster.shop.example. (\n 1 ; serial\n 3600 ; refresh\n 600\n 1209600\n 300 )\n\
             @ IN NS ns1.invalid.\n; www.shop.example -> lb\nwww IN A 203.0.113.20\n"
                .into(),
        ),
    );
    let mut f = Facts::default();
    read(&h, &mut f);
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    assert_eq!(
        records(&f),
        [r("shop.example", "www", "A", "203.0.113.20", Some(300))]
    );
    assert_eq!(f.facts[0].2.line, 12);
}

#[test]
fn named_conf_zones_debian_defaults_left_out() {
    let mut h = HostFiles::new("ns-01");
    let t = |s: &str| Entry::Text(s.into());
    h.insert(
        "/etc/bind/named.conf",
        t("include \"/etc/bind/named.conf.local\";\ninclude \"/etc/bind/named.conf.default-zones\";\n"),
    );
    h.insert(
        "/etc/bind/named.conf.local",
        t("zone \"shop.example\" { type master; file \"/etc/bind/zones/shop\"; };\nzone \"gone.example\" { type master; file \"/etc/bind/db.gone\"; };\n"),
    );
    h.insert(
        "/etc/bind/named.conf.default-zones",
        t("zone \"localhost\" { type master; file \"/etc/bind/db.local\"; };\nzone \"127.in-addr.arpa\" { type master; file \"/etc/bind/db.127\"; };\n"),
    );
    h.insert("/etc/bind/db.local", t("@ IN A 127.0.0.1\n"));
    // No $ORIGIN: the zone's name from named.conf.
    h.insert(
        "/etc/bind/zones/shop",
        t("$TTL 1h\n@ IN A 203.0.113.20\nwww CNAME @\napi.eu IN A 203.0.113.30\nx.other.example. A 203.0.113.40\n"),
    );
    // Not in named.conf: its $ORIGIN.
    h.insert(
        "/etc/bind/db.blog",
        t("$ORIGIN blog.example.\nwww 60 IN AAAA 2001:db8::7\n"),
    );
    let mut f = Facts::default();
    read(&h, &mut f);
    assert_eq!(
        records(&f),
        [
            r("shop.example", "@", "A", "203.0.113.20", Some(3600)),
            r("shop.example", "www", "CNAME", "shop.example", Some(3600)),
            r("shop.example", "api.eu", "A", "203.0.113.30", Some(3600)),
            r("blog.example", "www", "AAAA", "2001:db8::7", Some(60)),
        ]
    );
    let msgs: Vec<&str> = f.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs[0].contains("x.other.example is not in the zone"));
    assert!(msgs[1].contains("/etc/bind/db.gone"));
}

#[test]
fn domains_from_file_names() {
    assert_eq!(from_file_name("/etc/bind/db.shop.example"), "shop.example");
    assert_eq!(from_file_name("/dns/Shop.Example.zone"), "shop.example");
    let mut h = HostFiles::new("ns-01");
    h.insert(
        "/etc/bind/zones/a.example.db",
        Entry::Text("www A 198.51.100.1\n".into()),
    );
    h.insert(
        "/etc/bind/db.x",
        Entry::Skipped("not UTF-8 (a binary file?)".into()),
    );
    let mut f = Facts::default();
    read(&h, &mut f);
    assert_eq!(
        records(&f),
        [r("a.example", "www", "A", "198.51.100.1", None)]
    );
    assert_eq!(f.warnings.len(), 1);
    assert!(f.warnings[0].message.contains("binary"));
}
