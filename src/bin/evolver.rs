use std::process::ExitCode;

use evolver::RootEnv;
use evolver::cli::{World, run};

fn main() -> ExitCode {
    let world = World {
        cwd: std::env::current_dir().unwrap_or_else(|_| ".".into()),
        env: RootEnv::from_process(),
        now: chrono::Utc::now(),
    };
    let code = run(
        std::env::args_os().collect(),
        &world,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}
