//! `evolver-activator`: the activator hook. Fails open: exit 0 whatever happens.

fn main() {
    evolver::hooks::fail_open(
        "evolver-activator",
        evolver::hooks::activator::run,
        &mut std::io::stdin().lock(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
}
