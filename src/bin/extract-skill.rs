use std::process::ExitCode;

use evolver::cli::World;

fn main() -> ExitCode {
    let world = World::from_process();
    let code = evolver::cli::extract::run(
        std::env::args_os().collect(),
        &world,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}
