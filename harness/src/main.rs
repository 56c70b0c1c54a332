use std::process::ExitCode;

use clap::Parser;
use shakedown::cli::{Cli, Command, bench, connect, fuzz, learn, run, serve, timing};

/// Exit codes: 0 all passed, 1 a failure (of the peer or the handshake),
/// 2 a usage or harness error.
fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Run(args) => run::run(args).map(ExitCode::from),
        Command::Fuzz(args) => fuzz::run(args).map(ExitCode::from),
        Command::Serve(args) => serve::run(args).map(|()| ExitCode::SUCCESS),
        Command::Connect(args) => connect::run(args).map(|()| ExitCode::SUCCESS).or_else(|e| {
            shakedown::tell!("error: {e}");
            Ok(ExitCode::from(1))
        }),
        Command::Learn(args) => learn::run(args).map(ExitCode::from),
        Command::Timing(args) => timing::run(args).map(|()| ExitCode::SUCCESS),
        Command::Bench(args) => bench::run(args).map(|()| ExitCode::SUCCESS).or_else(|e| {
            shakedown::tell!("error: {e}");
            Ok(ExitCode::from(1))
        }),
    };
    result.unwrap_or_else(|e| {
        shakedown::tell!("error: {e}");
        ExitCode::from(2)
    })
}
