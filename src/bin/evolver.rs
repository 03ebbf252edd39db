use std::process::ExitCode;

use evolver::RootEnv;
use evolver::cli::{World, run};

fn main() -> ExitCode {
    let world = World {
        cwd: std::env::current_dir().unwrap_or_else(|_| ".".into()),
        env: RootEnv::from_process(),
        now: chrono::Utc::now(),
        // An empty or relative HOME is no home: `~/…` must never land in the working folder.
        home: std::env::var_os("HOME")
            .map(std::path::PathBuf::from)
            .filter(|h| h.is_absolute()),
        bin_dir: std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(ToOwned::to_owned)),
    };
    let code = run(
        std::env::args_os().collect(),
        &world,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}
