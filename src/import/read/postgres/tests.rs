use super::*;

fn read_files(files: &[(&str, &str)]) -> Facts {
    let h = HostFiles::with_texts("pg", files);
    let mut f = Facts::default();
    read(&h, &mut f);
    f
}

fn serves_of(f: &Facts) -> Vec<(Option<String>, u16, u32)> {
    f.facts
        .iter()
        .filter_map(|(_, x, o)| match x {
            Fact::Serves { addr, port, .. } => Some((addr.map(|a| a.to_string()), *port, o.line)),
            _ => None,
        })
        .collect()
}

fn read_only(f: &Facts) -> Vec<(bool, String)> {
    f.facts
        .iter()
        .filter_map(|(_, x, o)| match x {
            Fact::Store { read_only, .. } => Some((read_only.unwrap(), o.path.clone())),
            _ => None,
        })
        .collect()
}

fn follows_of(f: &Facts) -> Vec<(Target, u32)> {
    f.facts
        .iter()
        .filter_map(|(_, x, o)| match x {
            Fact::Follows { primary, .. } => Some((primary.clone(), o.line)),
            _ => None,
        })
        .collect()
}

fn addr(s: &str) -> std::net::IpAddr {
    s.parse().unwrap()
}

const MAIN: &str = "/etc/postgresql/15/main/postgresql.conf";

#[test]
fn debians_file_its_conf_d_and_the_auto_conf() {
    let f = read_files(&[
        (
            MAIN,
            "# PostgreSQL configuration file\ndata_directory = '/var/lib/postgresql/15/main'\t\t# use data in another directory\nlisten_addresses = 'localhost'\nport = 5433\nunknown_thing = 'x # y'\ninclude_dir = 'conf.d'\n",
        ),
        ("/etc/postgresql/15/main/conf.d/10-listen.conf", "listen_addresses '10.0.0.31, localhost'\n"),
        ("/etc/postgresql/15/main/conf.d/.hidden.conf", "port = 1\n"),
        ("/etc/postgresql/15/main/conf.d/notes.txt", "port = 2\n"),
        ("/var/lib/postgresql/15/main/postgresql.auto.conf", "port = '5434'\n"),
    ]);
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    assert!(matches!(f.facts[0].1, Fact::Runs(_)));
    assert_eq!(
        serves_of(&f),
        [
            (Some("10.0.0.31".into()), 5434, 1),
            (Some("127.0.0.1".into()), 5434, 1)
        ]
    );
    assert_eq!(read_only(&f), [(false, MAIN.to_string())]);
}

#[test]
fn a_standby_from_standby_signal_and_a_quoted_conninfo() {
    let f = read_files(&[
        (MAIN, "listen_addresses = '*'\ninclude 'replica.conf'\n"),
        (
            "/etc/postgresql/15/main/replica.conf",
            "# the standby\nprimary_conninfo = 'host=''10.0.0.30'' port=5433 user=rep password=''a#b c'''\n",
        ),
        ("/var/lib/postgresql/15/main/standby.signal", ""),
    ]);
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    assert_eq!(serves_of(&f), [(None, 5432, 0)]);
    assert_eq!(
        read_only(&f),
        [(true, "/var/lib/postgresql/15/main/standby.signal".into())]
    );
    assert_eq!(
        follows_of(&f),
        [(Target::Addr(addr("10.0.0.30"), Some(5433)), 2)]
    );
}

#[test]
fn the_bundles_conf_d_and_its_setup_script() {
    let f = read_files(&[
        (
            "/etc/postgresql/15/main/conf.d/stackc.conf",
            "listen_addresses = '10.0.5.12,10.0.5.10'\nport = 5432\n",
        ),
        (
            "/etc/postgresql/15/main/conf.d/stackc-replica.conf",
            "primary_conninfo = 'host=10.0.5.10 port=5432 user=replicator password=x application_name=pg_02'\n",
        ),
        (
            "/etc/postgresql/stackc/replica-setup.sh",
            "#!/bin/sh\nrunuser -u postgres -- touch /var/lib/postgresql/15/main/standby.signal\n",
        ),
    ]);
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    assert_eq!(serves_of(&f).len(), 2);
    assert_eq!(
        read_only(&f),
        [(true, "/etc/postgresql/stackc/replica-setup.sh".into())]
    );
    assert_eq!(
        follows_of(&f),
        [(Target::Addr(addr("10.0.5.10"), Some(5432)), 1)]
    );
}

#[test]
fn conninfo_alone_is_a_standby_with_a_warning_and_uris_parse() {
    let f = read_files(&[(
        MAIN,
        "primary_conninfo = 'postgresql://rep:pw@pg-01:5433/postgres?sslmode=require'\n",
    )]);
    assert_eq!(f.warnings.len(), 1);
    assert_eq!(
        follows_of(&f),
        [(Target::Name("pg-01".into(), Some(5433)), 1)]
    );
    assert_eq!(primary("host=/run/postgresql"), None);
    assert_eq!(
        primary("hostaddr=10.0.0.1 port=5432,5433"),
        Some(Target::Addr(addr("10.0.0.1"), Some(5432)))
    );
}

#[test]
fn old_recovery_conf_loops_and_nothing() {
    let f = read_files(&[
        (MAIN, "include 'a.conf'\n"),
        (
            "/etc/postgresql/15/main/a.conf",
            "include 'postgresql.conf'\n",
        ),
        (
            "/var/lib/postgresql/15/main/recovery.conf",
            "standby_mode = 'on'\n",
        ),
    ]);
    // The loop, and a standby without primary_conninfo.
    assert_eq!(f.warnings.len(), 2, "{:?}", f.warnings);
    assert!(read_only(&f)[0].0);
    assert!(
        read_files(&[("/etc/postgresql-common/createcluster.conf", "x")])
            .facts
            .is_empty()
    );
}

#[test]
fn a_disabled_cluster_is_left_out() {
    let f = read_files(&[
        (MAIN, "port = 5432\n"),
        (
            "/etc/postgresql/15/main/start.conf",
            "# auto, manual or disabled\n\tdisabled\n",
        ),
        ("/etc/postgresql/16/main/postgresql.conf", "port = 5433\n"),
        ("/etc/postgresql/16/main/start.conf", "auto\n"),
    ]);
    assert_eq!(f.warnings.len(), 1, "{:?}", f.warnings);
    assert_eq!(f.warnings[0].origin.line, 2);
    assert_eq!(serves_of(&f), [(Some("127.0.0.1".into()), 5433, 0)]);
}
