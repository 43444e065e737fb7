//! The `stackc` command line: clap definitions, wired to the commands in
//! `cli/`, which do the reading and printing around the library.

mod cli;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

/// A compiler for infrastructure diagrams-as-code: finds every single point
/// of failure in a web stack.
#[derive(Parser)]
#[command(name = "stackc", version, about, long_about = None)]
#[command(
    after_help = "Example:\n  stackc check samples/scale-up.stack\n  stackc simulate samples/scale-up.stack --fail db-01\n  stackc render samples/scale-up.stack --to svg -o scale-up.svg"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse, resolve and analyse; print the findings.
    #[command(
        after_help = "Examples:\n  stackc check samples/scale-up.stack\n  stackc check --format sarif samples/*.stack > stackc.sarif\n  cat web.stack | stackc check -"
    )]
    Check {
        /// Files to check (`-` reads standard input).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Fail (exit 1) on warnings too: `--deny warnings`.
        #[arg(long, value_enum, value_name = "warnings")]
        deny: Option<Deny>,
        /// Failures at once the stack must survive (1-4): `cut-set` errors
        /// for smaller cuts; overrides the file's `tolerate=`.
        #[arg(long, value_name = "K", value_parser = clap::value_parser!(u8).range(1..=4))]
        tolerate: Option<u8>,
    },
    /// What a change does to resilience: findings, cuts, tolerance,
    /// availability and structure from OLD to NEW.
    #[command(
        after_help = "Examples:\n  stackc diff old.stack new.stack\n  stackc diff origin/main:infra/prod.stack infra/prod.stack --format markdown > comment.md\n  stackc diff HEAD:samples/scale-up.stack samples/scale-up.stack --format json\n\nEach side is a file, `-` (standard input, one side at most) or REV:PATH read with git\n(PATH from the repository's root, or `./`-relative); an existing file wins over REV:PATH.\n\nExit status: 1 when the change adds an error finding, 0 otherwise; 2 when a side cannot\nbe read (missing file, not a git repository, unknown revision, path not in the revision,\nnot UTF-8, over 16 MiB)."
    )]
    Diff {
        /// The side before the change: FILE, `-` or REV:PATH.
        #[arg(value_name = "OLD")]
        old: String,
        /// The side after the change: FILE, `-` or REV:PATH.
        #[arg(value_name = "NEW")]
        new: String,
        /// Output format (markdown: a pull-request comment).
        #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
        format: DiffFormat,
    },
    /// Take servers or zones down and show what still serves, and why.
    #[command(
        after_help = "Examples:\n  stackc simulate samples/scale-up.stack --fail db-01\n  stackc simulate samples/scale-up.stack --fail a      # a whole zone\n\nExit status: 0 if the stack still serves, 1 if not, 2 for an unknown or empty name."
    )]
    Simulate {
        /// The file (`-` reads standard input).
        #[arg(value_name = "FILE")]
        file: String,
        /// Servers, groups or zones to take down, comma-separated.
        #[arg(
            long,
            required = true,
            value_delimiter = ',',
            value_name = "NAME[,NAME...]",
            value_parser = fail_name
        )]
        fail: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = SimFormat::Human)]
        format: SimFormat,
    },
    /// Beyond single failures: the cuts, the tolerance, the availability in
    /// nines and the capacity headroom.
    #[command(
        after_help = "Examples:\n  stackc resilience samples/scale-up.stack\n  stackc resilience web.stack --max-size 3 --format json\n  stackc resilience web.stack --format markdown > comment.md\n\nExit status: 0, or 1 when `check` reports an error; 2 when the input cannot be read\nor the usage is wrong."
    )]
    Resilience {
        /// The file (`-` reads standard input).
        #[arg(value_name = "FILE")]
        file: String,
        /// The largest cut to look for, 1 to 4 (default: max(2, the file's
        /// `tolerate`)).
        #[arg(long, value_name = "K", value_parser = clap::value_parser!(u8).range(1..=4))]
        max_size: Option<u8>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ResilienceFormat::Human)]
        format: ResilienceFormat,
    },
    /// Rewrite files in canonical form (LANGUAGE.md §6).
    #[command(
        after_help = "Examples:\n  stackc fmt samples/*.stack\n  stackc fmt --check samples/*.stack   # in CI: print a diff, exit 1 if not formatted\n  stackc fmt - < web.stack            # standard input to standard output\n\nA file is rewritten only when its canonical form differs: atomically, through\nsymbolic links, keeping its mode and owner; a file with hard links is rewritten\nin place so that they stay one file."
    )]
    Fmt {
        /// Files to format in place (`-`: standard input to standard output).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
        /// Change nothing: print a diff and exit 1 when a file is not formatted.
        #[arg(long)]
        check: bool,
    },
    /// An mdBook preprocessor: `stack` code blocks become diagrams.
    #[command(
        after_help = "In book.toml:\n  [preprocessor.stackc]\n  command = \"stackc mdbook\"\n\nA fenced block ```stack becomes the stack's diagram (options after a comma:\nsource, findings, nodiagram, ignore, expect=RULE); {{#stackc explain RULE}},\n{{#stackc help COMMAND}}, {{#stackc check FILE}}, {{#stackc diagram FILE}},\n{{#stackc simulate FILE NAMES}} and {{#stackc source FILE [expect=RULE]}}, each\nalone on its line, are replaced by what they name. FILE is relative to the\nbook's root and must be under it (or under `files-root = \"DIR\"`)."
    )]
    Mdbook {
        /// `supports RENDERER` (mdBook asks this first).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  stackc completions bash > /etc/bash_completion.d/stackc")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) of stackc.
    #[command(after_help = "Example:\n  stackc man > stackc.1 && man ./stackc.1")]
    Man,
    /// Write the deployable config bundle: every host's configs, Ansible, DNS.
    #[command(
        after_help = "Examples:\n  stackc bundle samples/scale-up.stack -o build/foobar\n  stackc bundle web.stack -o out --flavor mariadb --secrets out/secrets.json\n\nExit status: 0 written; 1 error findings other than spof/zone-spof (nothing is written);\n2 could not run (bad usage, unreadable input, unwritable output, or DIR exists\nand is not an earlier bundle, without --force)."
    )]
    Bundle {
        /// The file (`-` reads standard input).
        #[arg(value_name = "FILE")]
        file: String,
        /// The bundle directory (replaced as a whole, atomically).
        #[arg(short = 'o', long = "out", value_name = "DIR", required = true)]
        out: std::path::PathBuf,
        /// The database server the mysql hosts run.
        #[arg(long, value_enum, default_value_t = FlavorArg::Mysql)]
        flavor: FlavorArg,
        /// Reuse the passwords of an earlier bundle (its secrets.json).
        #[arg(long, value_name = "FILE")]
        secrets: Option<std::path::PathBuf>,
        /// Replace DIR even when it is not an earlier stackc bundle.
        #[arg(long)]
        force: bool,
    },
    /// Draw the stack and its single points of failure: Mermaid, SVG, DOT or an interactive HTML page.
    #[command(
        after_help = "Examples:\n  stackc render samples/scale-up.stack --to svg -o scale-up.svg\n  stackc render samples/scale-up.stack --to mermaid > scale-up.mmd\n  stackc render samples/scale-up.stack --to dot | dot -Tpng -o scale-up.png\n  stackc render samples/scale-up.stack --to svg -o scale-up.svg --watch\n  stackc render samples/scale-up.stack --to svg --cuts 2 -o pairs.svg\n  stackc render samples/scale-up.stack --to html -o scale-up.html\n\nExit status: 0 when drawn (findings or not), 1 when an error leaves nothing sound to draw\n(the diagnostics go to stderr), 2 when the input cannot be read, the output written, or the\ncut search is refused as too costly."
    )]
    Render {
        /// The file (`-` reads standard input).
        #[arg(value_name = "FILE")]
        file: String,
        /// Output format.
        #[arg(long, value_enum)]
        to: RenderFormat,
        /// Write here (atomically) instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: Option<String>,
        /// Colours.
        #[arg(long, value_enum, default_value_t = RenderTheme::Light)]
        theme: RenderTheme,
        /// Draw again each time the file changes, printing the findings.
        #[arg(long)]
        watch: bool,
        /// Mark the cuts of size K (1-4): the sets of K servers or zones
        /// whose loss together stops the stack, each in its own colour.
        #[arg(long, value_name = "K", value_parser = clap::value_parser!(u8).range(1..=4))]
        cuts: Option<u8>,
    },
    /// Write the `.stack` file of a stack that already runs, from its hosts' configs.
    #[command(
        after_help = "Examples:\n  stackc import fetched/ -o prod.stack          # fetched/HOST/etc/... (ansible -m fetch)\n  stackc import build/shop -o shop.stack         # a bundle's root: hosts/, dns/, ansible/\n  stackc import fetched/ --inventory inventory.yml > prod.stack\n\nDIR holds one folder per host with its files under their real paths\n(DIR/lb-01/etc/haproxy/haproxy.cfg), or is a bundle's root. Files over 4 MiB, binary\nfiles, unreadable files and symbolic links out of DIR or in a loop are skipped with a\nwarning. Warnings go to stderr as DIR/HOST/PATH:LINE: warning: ... and beside the\nstatements they concern in the output.\n\nExit status: 0 written; 1 written with import warnings; 2 DIR cannot be read (missing,\nnot a directory, no host folder), the inventory cannot be read, or FILE not written."
    )]
    Import {
        /// The folder of host folders, or a bundle's root.
        #[arg(value_name = "DIR")]
        dir: std::path::PathBuf,
        /// Write here (atomically) instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<std::path::PathBuf>,
        /// An Ansible inventory (INI or YAML): host names, addresses, groups.
        #[arg(long, value_name = "INVENTORY")]
        inventory: Option<std::path::PathBuf>,
    },
    /// What differs between a .stack file and the configs of the running
    /// stack: `drift` findings on the file.
    #[command(
        after_help = "Examples:\n  stackc drift infra/prod.stack fetched/\n  stackc drift prod.stack bundle/ --format sarif > drift.sarif\n\nDIR is read as `stackc import DIR` reads it (host folders as `ansible -m fetch` lays them\nout, or a bundle's root). Compared: servers (roles, address), group members, vips,\nprimaries, DNS records.\n\nExit status: 1 when anything differs, 0 otherwise; 2 when FILE or DIR cannot be read or\nFILE has an error that stops its analysis."
    )]
    Drift {
        /// The .stack file (`-` reads standard input).
        #[arg(value_name = "FILE")]
        file: String,
        /// The folder of host folders, or a bundle's root.
        #[arg(value_name = "DIR")]
        dir: std::path::PathBuf,
        /// An Ansible inventory (INI or YAML): host names, addresses, groups.
        #[arg(long, value_name = "INVENTORY")]
        inventory: Option<std::path::PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// What a rule means, why it matters, how to fix or allow it.
    #[command(
        after_help = "Examples:\n  stackc explain spof\n  stackc explain        # lists every rule"
    )]
    Explain {
        /// The rule (omit to list them all).
        rule: Option<String>,
    },
    /// The language server: SPOFs as you type, hover, rename, completion,
    /// formatting, quick fixes (LSP over standard input/output).
    #[command(
        after_help = "Editors start it; it speaks LSP 3.17 (JSON-RPC) on standard input/output.\n\nNeovim (0.7+): editors/nvim/stackc.lua attaches it to *.stack files:\n  nvim -u editors/nvim/stackc.lua web.stack   (or source it from your init.lua)\nVS Code: the extension in editors/vscode/ starts `stackc lsp` (setting stackc.path).\n\nExit status: 0 after `shutdown` then `exit`; 1 on `exit` without `shutdown`, or when\nstandard input closes first."
    )]
    Lsp {
        /// Speak over standard input/output: the only transport, and the
        /// default (accepted because editors' clients pass it).
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Copy, Clone, PartialEq, Eq, Debug, ValueEnum)]
pub enum DiffFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Copy, Clone, PartialEq, Eq, Debug, ValueEnum)]
pub enum SimFormat {
    Human,
    Json,
}

#[derive(Copy, Clone, PartialEq, Eq, Debug, ValueEnum)]
pub enum ResilienceFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
pub enum FlavorArg {
    /// MySQL 8.
    Mysql,
    /// MariaDB 10.6+.
    Mariadb,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
pub enum RenderFormat {
    Mermaid,
    Svg,
    Dot,
    /// A self-contained interactive page: click a server or zone to take it down.
    Html,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
pub enum RenderTheme {
    Light,
    Dark,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    Warnings,
}

/// One name of `--fail`: not empty, not only spaces.
fn fail_name(s: &str) -> Result<String, String> {
    match s.trim() {
        "" => Err(cli::simulate::EMPTY_NAME.to_string()),
        name => Ok(name.to_string()),
    }
}

/// Standard input can be read once: `-` may stand once in a command's files.
fn stdin_once(command: &str, files: &[String]) -> Result<(), clap::Error> {
    if files.iter().filter(|f| *f == "-").count() < 2 {
        return Ok(());
    }
    let mut cli = Cli::command();
    cli.build();
    let sub = cli
        .find_subcommand_mut(command)
        .expect("the command exists");
    Err(sub.error(
        clap::error::ErrorKind::ArgumentConflict,
        "`-` (standard input) is given more than once: standard input can be read only once",
    ))
}

/// The `--help` text of stackc or of one of its commands, without styles.
fn help_text(command: Option<&str>) -> Option<String> {
    let mut cli = Cli::command().term_width(88);
    cli.build();
    let cmd = match command {
        None => &mut cli,
        Some(name) => cli.find_subcommand_mut(name)?,
    };
    Some(cmd.render_long_help().to_string())
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let once = match &cli.command {
        Command::Check { files, .. } => stdin_once("check", files),
        Command::Fmt { files, .. } => stdin_once("fmt", files),
        _ => Ok(()),
    };
    if let Err(e) = once {
        let _ = e.print();
        return ExitCode::from(2);
    }
    let code = match cli.command {
        Command::Check {
            files,
            format,
            deny,
            tolerate,
        } => cli::check::run(&files, format, deny.is_some(), tolerate),
        Command::Simulate { file, fail, format } => cli::simulate::run(&file, &fail, format),
        Command::Diff { old, new, format } => cli::diff::run(&old, &new, format),
        Command::Resilience {
            file,
            max_size,
            format,
        } => cli::resilience::run(&file, max_size.map(usize::from), format),
        Command::Bundle {
            file,
            out,
            flavor,
            secrets,
            force,
        } => cli::bundle::run(&cli::bundle::Args {
            file: &file,
            out: &out,
            flavor: match flavor {
                FlavorArg::Mysql => stackc::bundle::Flavor::Mysql,
                FlavorArg::Mariadb => stackc::bundle::Flavor::Mariadb,
            },
            secrets: secrets.as_deref(),
            force,
        }),
        Command::Render {
            file,
            to,
            output,
            theme,
            watch,
            cuts,
        } => cli::render::run_args(&file, to, output.as_deref(), theme, watch, cuts),
        Command::Import {
            dir,
            output,
            inventory,
        } => cli::import::run(&cli::import::Args {
            dir: &dir,
            out: output.as_deref(),
            inventory: inventory.as_deref(),
        }),
        Command::Drift {
            file,
            dir,
            inventory,
            format,
        } => cli::drift::run(&cli::drift::Args {
            file: &file,
            dir: &dir,
            inventory: inventory.as_deref(),
            format,
        }),
        Command::Explain { rule } => cli::explain::run(rule.as_deref()),
        Command::Lsp { stdio: _ } => cli::lsp::run(),
        Command::Fmt { files, check } => cli::fmt::run(&files, check),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "stackc", &mut script);
            cli::print(&String::from_utf8_lossy(&script));
            0
        }
        Command::Man => cli::man::run(Cli::command()),
        Command::Mdbook { args } => cli::mdbook::run(&args, &help_text),
    };
    ExitCode::from(code)
}
