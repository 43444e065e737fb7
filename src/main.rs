//! The `stackc` command line: clap definitions, wired to the commands in
//! `cli/`, which do the reading and printing around the library.

mod cli;

use clap::{Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

/// A compiler for infrastructure diagrams-as-code: finds every single point
/// of failure in a web stack.
#[derive(Parser)]
#[command(name = "stackc", version, about, long_about = None)]
#[command(
    after_help = "Example:\n  stackc check samples/scale-up.stack\n  stackc simulate samples/scale-up.stack --fail db-01"
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
    },
    /// Take servers or zones down and show what still serves, and why.
    #[command(
        after_help = "Examples:\n  stackc simulate samples/scale-up.stack --fail db-01\n  stackc simulate samples/scale-up.stack --fail a      # a whole zone\n\nExit status: 0 if the stack still serves, 1 if not, 2 for an unknown name."
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
            value_name = "NAME[,NAME...]"
        )]
        fail: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = SimFormat::Human)]
        format: SimFormat,
    },
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
    /// What a rule means, why it matters, how to fix or allow it.
    #[command(
        after_help = "Examples:\n  stackc explain spof\n  stackc explain        # lists every rule"
    )]
    Explain {
        /// The rule (omit to list them all).
        rule: Option<String>,
    },
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
pub enum SimFormat {
    Human,
    Json,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
pub enum FlavorArg {
    /// MySQL 8.
    Mysql,
    /// MariaDB 10.6+.
    Mariadb,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    Warnings,
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
    let code = match cli.command {
        Command::Check {
            files,
            format,
            deny,
        } => cli::check::run(&files, format, deny.is_some()),
        Command::Simulate { file, fail, format } => cli::simulate::run(&file, &fail, format),
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
        Command::Explain { rule } => cli::explain::run(rule.as_deref()),
    };
    ExitCode::from(code)
}
