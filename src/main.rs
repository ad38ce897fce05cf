use std::process::ExitCode;

mod cli;

// glibc's per-thread arenas kept ~260 MB more resident during a build than
// this allocator (measured in bench/build-ratio.sh), at the same speed or better.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A panic (e.g. inside tantivy on a damaged index) ends with a clear message,
    // not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "tifa: internal error: {info}\nIf the index was damaged, rebuild with `tifa index`; otherwise please report this."
        );
    }));
    // `TIFA_INDEX=` (set but empty) would reach clap as "--index with no
    // value", an error about a flag nobody typed.
    if std::env::var_os("TIFA_INDEX").is_some_and(|v| v.is_empty()) {
        eprintln!(
            "tifa: error: the environment variable TIFA_INDEX is set but empty: unset it (the index is then index/) or set it to the index folder"
        );
        return ExitCode::from(2);
    }
    let cli = cli::parse();
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // `tifa search 的 --all | head`: the reader left; that is not an error.
        Err(e) if tifa::output::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tifa: error: {}", tifa::output::escape_error(&e));
            ExitCode::FAILURE
        }
    }
}
