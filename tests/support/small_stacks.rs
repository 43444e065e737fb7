//! Small random stacks of every shape, sound or not: any roles on servers
//! and groups (empty groups too), active-passive and failover=auto with and
//! without vips, links and records with any protocol. Shared by the bundle
//! tests (`#[path]`).

pub fn small_stack(seed: u64) -> String {
    let mut state: u64 = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5eed;
    let mut next = move |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    let roles = [
        "haproxy",
        "nginx",
        "app",
        "mysql",
        "nginx+app",
        "nginx+app+mysql",
    ];
    let attrs = [
        "",
        " port=8080",
        " health=\"/h\"",
        " monitor=agent",
        " runtime=python",
        " firewall",
        " command=\"/bin/true --x\"",
    ];
    let names = ["a", "b", "c", "d", "e", "f"];
    let mut s = String::new();
    for (k, name) in names.iter().enumerate() {
        let role = roles[next(roles.len() as u64) as usize];
        let addr = if next(10) == 0 {
            String::new()
        } else {
            format!(" 10.0.{k}.1")
        };
        let attr = attrs[next(attrs.len() as u64) as usize];
        if next(2) == 0 {
            s += &format!("server {name}: {role}{addr}{attr}\n");
        } else {
            let mode = match next(4) {
                0 => format!(" mode=active-passive vip=10.1.{k}.1"),
                1 if role.contains("mysql") => format!(" failover=auto vip=10.1.{k}.1"),
                2 if role.contains("mysql") => " failover=auto".to_string(),
                _ => String::new(),
            };
            let extra = if mode.contains("passive") && next(2) == 0 {
                " track unicast"
            } else {
                ""
            };
            s += &format!("group {name}: {role}{mode}{extra}{attr} {{\n");
            for m in 0..next(4) {
                let db = if role.contains("mysql") && m == 0 {
                    " primary"
                } else {
                    ""
                };
                s += &format!("  server {name}-{m} 10.2.{k}.{}{db}\n", m + 1);
            }
            s += "}\n";
        }
    }
    for _ in 0..next(6) {
        let (x, y) = (names[next(6) as usize], names[next(6) as usize]);
        let proto = [": http", ": https", ": mysql", ": http 81", "", ""][next(6) as usize];
        let read = if next(3) == 0 { " read" } else { "" };
        s += &format!("{x} -> {y} {proto}{read}\n");
    }
    if next(2) == 0 {
        let t = ["A", "AAAA", "CNAME"][next(3) as usize];
        let proto = [": https", ": http", ""][next(3) as usize];
        s += &format!(
            "domain example.com {{\n  www {t} -> {} {proto}\n}}\n",
            names[next(6) as usize]
        );
    }
    s
}
