use super::replication::{change_source, master_info};
use super::*;
use crate::import::facts::Target;

fn read_files(files: &[(&str, &str)]) -> Facts {
    let h = HostFiles::with_texts("db", files);
    let mut f = Facts::default();
    read(&h, &mut f);
    f
}

fn store_of(f: &Facts) -> (Option<bool>, Option<u32>, Option<bool>, Option<bool>, u32) {
    f.facts
        .iter()
        .find_map(|(_, x, o)| match x {
            Fact::Store {
                read_only,
                server_id,
                log_bin,
                gtid,
                ..
            } => Some((*read_only, *server_id, *log_bin, *gtid, o.line)),
            _ => None,
        })
        .expect("a Store fact")
}

fn follows_of(f: &Facts) -> Vec<(Target, String, u32)> {
    f.facts
        .iter()
        .filter_map(|(_, x, o)| match x {
            Fact::Follows { primary, .. } => Some((primary.clone(), o.path.clone(), o.line)),
            _ => None,
        })
        .collect()
}

fn serves_of(f: &Facts) -> Vec<(Option<String>, u16)> {
    f.facts
        .iter()
        .filter_map(|(_, x, _)| match x {
            Fact::Serves { addr, port, .. } => Some((addr.map(|a| a.to_string()), *port)),
            _ => None,
        })
        .collect()
}

fn addr(s: &str) -> std::net::IpAddr {
    s.parse().unwrap()
}

#[test]
fn debians_includes_sections_dashes_and_comments() {
    let f = read_files(&[
        (
            "/etc/mysql/my.cnf",
            "# The MariaDB configuration file\n[client-server]\nport = 9999\n!includedir /etc/mysql/conf.d/\n!includedir /etc/mysql/mariadb.conf.d/\n",
        ),
        ("/etc/mysql/conf.d/mysql.cnf", "[mysql]\nbind-address = 10.9.9.9\n"),
        (
            "/etc/mysql/mariadb.conf.d/50-server.cnf",
            "[server]\n\n[mysqld]\nuser\t\t= mysql\nbind-address\t\t= 10.0.0.21   # this host\nskip-name-resolve\nserver-id = 21\n; a comment\nlog_bin = /var/log/mysql/mysql-bin.log\nunknown-option = x\n[embedded]\nport = 1\n",
        ),
        ("/etc/mysql/mariadb.conf.d/60-ro.cnf", "[mariadb]\nread-only\ngtid_strict_mode = 1\n"),
        ("/etc/mysql/mariadb.conf.d/README", "[mysqld]\nport = 2\n"),
    ]);
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    assert!(matches!(f.facts[0].1, Fact::Runs(_)));
    assert_eq!(f.facts[0].2.path, "/etc/mysql/mariadb.conf.d/50-server.cnf");
    assert_eq!(serves_of(&f), [(Some("10.0.0.21".into()), 3306)]);
    assert!(f
        .facts
        .iter()
        .any(|(_, x, o)| *x == Fact::Address(addr("10.0.0.21")) && o.line == 5));
    assert_eq!(
        store_of(&f),
        (Some(true), Some(21), Some(true), Some(true), 2)
    );
    assert!(follows_of(&f).is_empty());
}

#[test]
fn drop_in_folders_without_my_cnf_and_the_last_setting_wins() {
    let f = read_files(&[
        ("/etc/mysql/mysql.conf.d/a.cnf", "[mysqld]\nport = 3307\nread_only = ON\n"),
        (
            "/etc/mysql/mysql.conf.d/b.cnf",
            "[mysqld-8.0]\nloose-port = \"3308\"\nread_only = OFF\nskip-log-bin\nbind-address = 10.0.0.1,127.0.0.1\n",
        ),
    ]);
    assert_eq!(
        serves_of(&f),
        [
            (Some("10.0.0.1".into()), 3308),
            (Some("127.0.0.1".into()), 3308)
        ]
    );
    let s = store_of(&f);
    assert_eq!((s.0, s.1, s.2, s.3), (Some(false), None, Some(false), None));
}

#[test]
fn no_server_section_no_facts() {
    let f = read_files(&[(
        "/etc/mysql/my.cnf",
        "[client]\nport = 3306\n!includedir /etc/mysql/conf.d/\n",
    )]);
    assert!(f.facts.is_empty(), "{:?}", f.facts);
}

#[test]
fn include_loops_are_cut_with_a_warning() {
    let f = read_files(&[
        ("/etc/mysql/my.cnf", "[mysqld]\n!include /etc/mysql/b.cnf\n"),
        (
            "/etc/mysql/b.cnf",
            "!include /etc/mysql/my.cnf\n[mysqld]\nskip-networking\n",
        ),
    ]);
    assert_eq!(f.warnings.len(), 1);
    assert!(f.warnings[0].message.contains("loop"));
    assert!(serves_of(&f).is_empty());
}

#[test]
fn master_info_both_formats() {
    let new = "33\nmysql-bin.000003\n1234\n10.0.0.11\nrepl\nsecret\n3307\n60\n";
    assert_eq!(
        master_info(new),
        Some((Target::Addr(addr("10.0.0.11"), Some(3307)), 4))
    );
    let old = "mysql-bin.000003\n1234\ndb-01\nrepl\nsecret\n3306\n";
    assert_eq!(
        master_info(old),
        Some((Target::Name("db-01".into(), Some(3306)), 3))
    );
    assert_eq!(master_info("33\nx\n4\n\nrepl\n"), None);
    assert_eq!(master_info(""), None);
}

#[test]
fn change_master_and_change_replication_source() {
    let sql = "-- set up\nCREATE USER 'x'@'%';\n/* CHANGE MASTER TO MASTER_HOST='9.9.9.9'; */\nchange master 'a' to\n  master_host = \"10.0.0.11\", -- the primary\n  MASTER_PORT=3307,\n  MASTER_PASSWORD = 'p,;x';\nSTART SLAVE;\n# CHANGE REPLICATION SOURCE TO SOURCE_HOST='8.8.8.8';\nCHANGE REPLICATION SOURCE TO SOURCE_USER='r', SOURCE_HOST = 'db-01' FOR CHANNEL 'c';\n";
    assert_eq!(
        change_source(sql),
        [
            (Target::Addr(addr("10.0.0.11"), Some(3307)), 5),
            (Target::Name("db-01".into(), None), 10)
        ]
    );
}

#[test]
fn master_info_wins_over_sql_with_a_warning() {
    let f = read_files(&[
        (
            "/etc/mysql/mariadb.conf.d/50-server.cnf",
            "[mysqld]\nserver_id = 2\n",
        ),
        (
            "/var/lib/mysql/master.info",
            "33\nb.000001\n4\n10.0.0.11\nrepl\np\n3306\n",
        ),
        (
            "/etc/mysql/setup/replica.sql",
            "CHANGE MASTER TO MASTER_HOST='10.0.0.99', MASTER_PORT=3306;\n",
        ),
    ]);
    assert_eq!(
        follows_of(&f),
        [(
            Target::Addr(addr("10.0.0.11"), Some(3306)),
            "/var/lib/mysql/master.info".into(),
            4
        )]
    );
    assert_eq!(f.warnings.len(), 1, "{:?}", f.warnings);
    assert!(f.warnings[0].message.contains("10.0.0.99"));
}

#[test]
fn a_bad_server_id_and_port_warn() {
    let f = read_files(&[("/etc/my.cnf", "[mysqld]\nserver_id = one\nport = x\n")]);
    assert_eq!(f.warnings.len(), 2, "{:?}", f.warnings);
    assert!(serves_of(&f).is_empty());
}

#[test]
fn set_persist_settings_come_last() {
    let f = read_files(&[
        (
            "/etc/mysql/mysql.conf.d/mysqld.cnf",
            "[mysqld]\ndatadir = /srv/mysql/\nread_only = OFF\n",
        ),
        (
            "/srv/mysql/mysqld-auto.cnf",
            r#"{"Version": 2, "mysql_dynamic_variables": {"read_only": {"Value": "ON", "Metadata": {"User": "root"}}}, "mysql_static_variables": {"server_id": {"Value": "7"}}}"#,
        ),
    ]);
    let s = store_of(&f);
    assert_eq!((s.0, s.1), (Some(true), Some(7)));
    let bad = read_files(&[
        ("/etc/mysql/mysql.conf.d/mysqld.cnf", "[mysqld]\n"),
        ("/var/lib/mysql/mysqld-auto.cnf", "{not json"),
    ]);
    assert_eq!(bad.warnings.len(), 1);
}
