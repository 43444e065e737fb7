//! Ansible plays as data, written out as YAML: each kit module builds its
//! plays from these pieces (`roles::plays`), and `site.yml` is their
//! sequence. Scalars are written as given: [`Node::plain`] for text YAML
//! reads as itself (paths, names, commands without `: ` or a leading
//! special character), [`Node::quoted`] for anything else (a JSON string
//! is a YAML scalar), so no value can open a mapping or a comment.

use serde_json::to_string as json;

/// The directory of a host's files, seen from the playbook.
pub const HOST_SRC: &str = "{{ playbook_dir }}/../hosts/{{ inventory_hostname }}";

/// A value in a task.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A scalar (or flow list), as it is written.
    Scalar(String),
    /// A nested mapping, in order.
    Map(Vec<(&'static str, Node)>),
    /// A list of tasks (`block:`, `rescue:`).
    Tasks(Vec<Task>),
}

impl Node {
    /// Text written as is: the caller knows YAML reads it as itself.
    pub fn plain(s: impl Into<String>) -> Node {
        Node::Scalar(s.into())
    }
    /// A double-quoted string.
    pub fn quoted(s: &str) -> Node {
        Node::Scalar(json(s).expect("json string"))
    }
    /// A flow list of double-quoted strings.
    pub fn list<S: AsRef<str>>(items: &[S]) -> Node {
        let v: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
        Node::Scalar(json(&v).expect("json list"))
    }
    pub fn bool(b: bool) -> Node {
        Node::Scalar(b.to_string())
    }
    /// The text of a scalar (empty for a mapping or a task list).
    pub fn scalar(&self) -> &str {
        match self {
            Node::Scalar(s) => s,
            Node::Map(_) | Node::Tasks(_) => "",
        }
    }
    /// A mode, quoted so that YAML does not read it as a number: `"0644"`.
    pub fn mode(mode: u32) -> Node {
        Node::Scalar(format!("\"{mode:04o}\""))
    }
}

/// One task: its name, then its keys in order (the module first).
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    pub name: String,
    pub keys: Vec<(&'static str, Node)>,
}

impl Task {
    pub fn new(name: impl Into<String>) -> Task {
        Task {
            name: name.into(),
            keys: Vec::new(),
        }
    }
    /// Adds a key.
    pub fn with(mut self, key: &'static str, value: Node) -> Task {
        self.keys.push((key, value));
        self
    }
    /// Adds a module with its arguments.
    pub fn module(self, module: &'static str, args: Vec<(&'static str, Node)>) -> Task {
        self.with(module, Node::Map(args))
    }
    /// `notify: HANDLER`.
    pub fn notify(self, handler: &str) -> Task {
        self.with("notify", Node::plain(handler))
    }
    /// `when: CONDITION`, written as is.
    pub fn when(self, condition: &str) -> Task {
        self.with("when", Node::plain(condition))
    }
}

/// `apt`: installs packages (one is written bare, several as a list).
pub fn install(name: impl Into<String>, packages: &[&str]) -> Task {
    let list = match packages {
        [one] => Node::plain(*one),
        _ => Node::list(packages),
    };
    Task::new(name).module(
        "ansible.builtin.apt",
        vec![
            ("name", list),
            ("state", Node::plain("present")),
            ("update_cache", Node::bool(true)),
        ],
    )
}

/// `copy` of a host's file from the bundle to its real path, owned by root.
pub fn copy(name: impl Into<String>, path: &str, mode: u32) -> Task {
    copy_with(name, path, mode, Vec::new())
}

/// [`copy`] with more arguments after `mode` (`backup`, `validate`).
pub fn copy_with(
    name: impl Into<String>,
    path: &str,
    mode: u32,
    more: Vec<(&'static str, Node)>,
) -> Task {
    let mut args = vec![
        ("src", Node::quoted(&format!("{HOST_SRC}{path}"))),
        ("dest", Node::plain(path)),
        ("owner", Node::plain("root")),
        ("group", Node::plain("root")),
        ("mode", Node::mode(mode)),
    ];
    args.extend(more);
    Task::new(name).module("ansible.builtin.copy", args)
}

/// Sets the `owner` and `group` of a [`copy`] task.
fn owned_by(task: &mut Task, owner: &str) {
    for (_, node) in task.keys.iter_mut() {
        if let Node::Map(args) = node {
            for (k, v) in args.iter_mut() {
                if *k == "owner" || *k == "group" {
                    *v = Node::plain(owner);
                }
            }
        }
    }
}

/// A `when:` condition: the host's directory of the bundle holds `path`.
pub fn present(path: &str) -> String {
    Node::quoted(&format!(
        "(playbook_dir ~ '/../hosts/' ~ inventory_hostname ~ '{path}') is file"
    ))
    .scalar()
    .to_string()
}

/// `file`: a directory, owned by root unless `group` says otherwise.
pub fn directory(name: impl Into<String>, path: &str, group: &str, mode: u32) -> Task {
    Task::new(name).module(
        "ansible.builtin.file",
        vec![
            ("path", Node::plain(path)),
            ("state", Node::plain("directory")),
            ("owner", Node::plain("root")),
            ("group", Node::plain(group)),
            ("mode", Node::mode(mode)),
        ],
    )
}

/// `service`: started and enabled at boot.
pub fn start(name: impl Into<String>, service: &str) -> Task {
    Task::new(name).module(
        "ansible.builtin.service",
        vec![
            ("name", Node::plain(service)),
            ("state", Node::plain("started")),
            ("enabled", Node::bool(true)),
        ],
    )
}

/// A handler: the service `restarted` or `reloaded`.
pub fn service_handler(name: impl Into<String>, service: &str, state: &str) -> Task {
    Task::new(name).module(
        "ansible.builtin.service",
        vec![
            ("name", Node::plain(service)),
            ("state", Node::plain(state)),
        ],
    )
}

/// The usual play of a daemon a kit deploys: install its packages, copy
/// its configuration files (each checked by `validate` before it replaces
/// the old one), start it at boot, and restart or reload it when a file
/// changes. A kit with more to do adds tasks to the [`Play`] it returns.
pub struct Daemon<'a> {
    /// The daemon in words, for the task names: `MySQL 8`.
    pub title: &'a str,
    /// The play's name: `Databases (MySQL 8)`.
    pub play: String,
    /// The inventory group: `role_mysql`.
    pub hosts: String,
    /// The table's (or the flavor's) packages.
    pub packages: &'a [&'a str],
    pub configs: Vec<Config<'a>>,
    /// The table's systemd service.
    pub service: &'a str,
    /// `restarted` or `reloaded` when a file changes.
    pub on_change: &'static str,
    /// Tasks after the install, before the files (directories, the sysctl
    /// of a vip).
    pub prepare: Vec<Task>,
    /// A check of the installed configuration as a whole, run before the
    /// start (`postgres -C`), for daemons whose files cannot be checked
    /// one by one.
    pub check: Option<String>,
}

/// A configuration file of a [`Daemon`], at its real path.
pub struct Config<'a> {
    pub path: &'a str,
    /// Its owner and group: `root`, or the daemon's account.
    pub owner: &'a str,
    pub mode: u32,
    /// Only some hosts of the group have it (a replica's file): copied
    /// where the host's directory of the bundle holds it.
    pub some_hosts: bool,
    /// The check of the new file (`%s` stands for it), quoted.
    pub validate: Option<&'a str>,
}

impl Daemon<'_> {
    pub fn handler(&self) -> String {
        let verb = if self.on_change == "reloaded" {
            "Reload"
        } else {
            "Restart"
        };
        format!("{verb} {}", self.title)
    }

    pub fn to_play(&self) -> Play {
        let mut play = Play::new(self.play.clone(), self.hosts.clone());
        let handler = self.handler();
        play.tasks
            .push(install(format!("Install {}", self.title), self.packages));
        play.tasks.extend(self.prepare.iter().cloned());
        for c in &self.configs {
            let name = match self.configs.len() {
                1 => format!("Configure {}", self.title),
                _ => format!("Configure {}: {}", self.title, c.path),
            };
            let more = c
                .validate
                .map(|v| vec![("validate", Node::quoted(v))])
                .unwrap_or_default();
            let mut task = copy_with(name, c.path, c.mode, more).notify(&handler);
            if c.owner != "root" {
                owned_by(&mut task, c.owner);
            }
            if c.some_hosts {
                task = task.when(&present(c.path));
            }
            play.tasks.push(task);
        }
        if let Some(check) = &self.check {
            play.tasks.push(
                Task::new("Check the configuration")
                    .with("ansible.builtin.command", Node::quoted(check))
                    .with("changed_when", Node::bool(false)),
            );
        }
        play.tasks
            .push(start(format!("Start {}", self.title), self.service));
        play.handlers
            .push(service_handler(handler, self.service, self.on_change));
        play
    }
}

/// One play: a name, the inventory group it runs on, its tasks and
/// handlers. Every play runs as root.
#[derive(Clone, Debug, PartialEq)]
pub struct Play {
    pub name: String,
    pub hosts: String,
    /// `serial: N`: this many hosts at a time.
    pub serial: Option<u32>,
    pub tasks: Vec<Task>,
    pub handlers: Vec<Task>,
}

impl Play {
    pub fn new(name: impl Into<String>, hosts: impl Into<String>) -> Play {
        Play {
            name: name.into(),
            hosts: hosts.into(),
            serial: None,
            tasks: Vec::new(),
            handlers: Vec::new(),
        }
    }

    /// The play as YAML: a list item of `site.yml`, ending with a newline.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("- name: {}\n", name_text(&self.name)));
        out.push_str(&format!("  hosts: {}\n", self.hosts));
        out.push_str("  become: true\n");
        if let Some(n) = self.serial {
            out.push_str(&format!("  serial: {n}\n"));
        }
        for (key, list) in [("tasks", &self.tasks), ("handlers", &self.handlers)] {
            if !list.is_empty() {
                out.push_str(&format!("  {key}:\n"));
                tasks(&mut out, list, 4);
            }
        }
        out
    }
}

/// A play's or task's name as YAML reads it back: as written when it is
/// plain text, double-quoted when it holds `: `, ` #` or starts with a
/// character that opens YAML syntax.
fn name_text(name: &str) -> String {
    let special = name.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c));
    let plain = !name.is_empty()
        && !special
        && !name.contains(": ")
        && !name.contains(" #")
        && !name.ends_with(':')
        && name.trim() == name;
    if plain {
        name.to_string()
    } else {
        Node::quoted(name).scalar().to_string()
    }
}

fn tasks(out: &mut String, list: &[Task], indent: usize) {
    for t in list {
        out.push_str(&format!("{:indent$}- name: {}\n", "", name_text(&t.name)));
        entries(out, &t.keys, indent + 2);
    }
}

fn entries(out: &mut String, keys: &[(&'static str, Node)], indent: usize) {
    for (key, node) in keys {
        match node {
            Node::Scalar(s) => out.push_str(&format!("{:indent$}{key}: {s}\n", "")),
            Node::Map(m) => {
                out.push_str(&format!("{:indent$}{key}:\n", ""));
                entries(out, m, indent + 2);
            }
            Node::Tasks(list) => {
                out.push_str(&format!("{:indent$}{key}:\n", ""));
                tasks(out, list, indent + 2);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_play_is_written_as_nested_yaml() {
        let mut p = Play::new("Demo", "role_demo");
        p.serial = Some(1);
        p.tasks.push(install("Install demo", &["demo"]));
        p.tasks.push(Task::new("Check").with(
            "block",
            Node::Tasks(vec![
                Task::new("inner").with("ansible.builtin.command", Node::plain("true")),
            ]),
        ));
        p.handlers
            .push(service_handler("Reload demo", "demo", "reloaded"));
        assert_eq!(
            p.to_yaml(),
            "- name: Demo\n  hosts: role_demo\n  become: true\n  serial: 1\n  tasks:\n    - name: Install demo\n      ansible.builtin.apt:\n        name: demo\n        state: present\n        update_cache: true\n    - name: Check\n      block:\n        - name: inner\n          ansible.builtin.command: true\n  handlers:\n    - name: Reload demo\n      ansible.builtin.service:\n        name: demo\n        state: reloaded\n"
        );
    }

    #[test]
    fn a_daemon_play_installs_configures_starts_and_reloads() {
        let d = Daemon {
            title: "Demo",
            play: "Demos".into(),
            hosts: "role_demo".into(),
            packages: &["demo", "demo-tools"],
            configs: vec![
                Config {
                    path: "/etc/demo/a.conf",
                    owner: "root",
                    mode: 0o644,
                    some_hosts: false,
                    validate: Some("demo -t %s"),
                },
                Config {
                    path: "/etc/demo/b.conf",
                    owner: "demo",
                    mode: 0o600,
                    some_hosts: true,
                    validate: None,
                },
            ],
            service: "demo",
            on_change: "reloaded",
            prepare: vec![directory("Directory", "/etc/demo", "root", 0o700)],
            check: Some("demo -C".into()),
        };
        let y = d.to_play().to_yaml();
        assert!(y.starts_with("- name: Demos\n  hosts: role_demo\n"), "{y}");
        assert!(
            y.contains("        name: [\"demo\",\"demo-tools\"]\n"),
            "{y}"
        );
        assert!(
            y.contains("    - name: \"Configure Demo: /etc/demo/a.conf\"\n"),
            "{y}"
        );
        assert!(
            y.contains("        validate: \"demo -t %s\"\n      notify: Reload Demo\n"),
            "{y}"
        );
        assert!(
            y.contains("        mode: \"0600\"\n      notify: Reload Demo\n"),
            "{y}"
        );
        assert!(
            y.contains("        owner: demo\n        group: demo\n"),
            "{y}"
        );
        assert!(
            y.contains("      when: \"(playbook_dir ~ '/../hosts/' ~ inventory_hostname ~ '/etc/demo/b.conf') is file\"\n"),
            "{y}"
        );
        assert!(
            y.contains(
                "    - name: Directory\n      ansible.builtin.file:\n        path: /etc/demo\n"
            ),
            "{y}"
        );
        assert!(
            y.contains("    - name: Check the configuration\n      ansible.builtin.command: \"demo -C\"\n      changed_when: false\n    - name: Start Demo\n"),
            "{y}"
        );
        assert!(y.ends_with("  handlers:\n    - name: Reload Demo\n      ansible.builtin.service:\n        name: demo\n        state: reloaded\n"), "{y}");
    }

    #[test]
    fn names_are_quoted_when_yaml_would_read_them_otherwise() {
        assert_eq!(name_text("Install nginx"), "Install nginx");
        assert_eq!(name_text("Start (once)"), "Start (once)");
        for bad in ["Configure X: /etc/x", "a #b", "- a", "x:", "*a", " a"] {
            assert!(name_text(bad).starts_with('"'), "{bad}");
        }
    }

    #[test]
    fn quoted_values_cannot_open_yaml_syntax() {
        assert_eq!(
            Node::quoted("a: b # c"),
            Node::Scalar("\"a: b # c\"".into())
        );
        assert_eq!(
            install("i", &["a", "b"]).keys[0].1,
            Node::Map(vec![
                ("name", Node::Scalar("[\"a\",\"b\"]".into())),
                ("state", Node::plain("present")),
                ("update_cache", Node::bool(true)),
            ])
        );
        assert_eq!(Node::mode(0o600), Node::Scalar("\"0600\"".into()));
    }
}
