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
    /// Draw the stack and its single points of failure: Mermaid, SVG or DOT.
    #[command(
        after_help = "Examples:\n  stackc render samples/scale-up.stack --to svg -o scale-up.svg\n  stackc render samples/scale-up.stack --to mermaid > scale-up.mmd\n  stackc render samples/scale-up.stack --to dot | dot -Tpng -o scale-up.png\n  stackc render samples/scale-up.stack --to svg -o scale-up.svg --watch\n\nExit status: 0 when drawn (findings or not), 1 when an error leaves nothing sound to draw\n(the diagnostics go to stderr), 2 when the input cannot be read or the output written."
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
pub enum RenderFormat {
    Mermaid,
    Svg,
    Dot,
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
        Command::Render {
            file,
            to,
            output,
            theme,
            watch,
        } => cli::render::run_args(&file, to, output.as_deref(), theme, watch),
        Command::Explain { rule } => cli::explain::run(rule.as_deref()),
    };
    ExitCode::from(code)
}
