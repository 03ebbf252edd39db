//! `evolver-error-detector`: the detector hook. Fails open: exit 0 whatever happens.

fn main() {
    evolver::hooks::fail_open(
        "evolver-error-detector",
        evolver::hooks::detector::run,
        &mut std::io::stdin().lock(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
}
