use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = tifa::cli::Cli::parse();
    match tifa::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tifa: error: {}", tifa::output::escape_error(&e));
            ExitCode::FAILURE
        }
    }
}
