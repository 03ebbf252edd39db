//! `evolver completions` and `evolver man`: the shell completions and the man page, made
//! from the clap definitions, so they always name the commands and options `--help` names.

use std::io::Write;

use clap::{Args, ValueEnum};
use clap_complete::Generator;

use crate::error::Result;

#[derive(Args, Debug)]
pub(super) struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    shell: Shell,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// Prints the completion script for the shell.
pub(super) fn completions(a: &CompletionsArgs, out: &mut dyn Write) -> Result<()> {
    let shell = match a.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut cmd = super::command();
    cmd.set_bin_name("evolver");
    cmd.build();
    // `try_generate`, not `generate`: a closed pipe is an error to return, not a panic.
    shell.try_generate(&cmd, out)?;
    Ok(())
}

/// Prints the man page of `evolver`, its commands listed with what each does.
pub(super) fn man(out: &mut dyn Write) -> Result<()> {
    clap_mangen::Man::new(super::command()).render(out)?;
    Ok(())
}
