//! `evolver completions` and `evolver man`: made from the clap definitions, so every command
//! the definitions hold must be in them. The expectations come from the same definitions.

use crate::assert_text_snapshot;
use crate::harness::Project;

/// The names of `evolver`'s own commands, as clap knows them.
fn commands() -> Vec<String> {
    let cmd = evolver::cli::command();
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    assert!(names.len() > 10, "{names:?}");
    names
}

#[test]
fn bash_completion_snapshot() {
    let p = Project::new();
    assert_text_snapshot!(p, p.ok(&["completions", "bash"]));
    // No store is needed, and none is made.
    assert!(!p.path(".learnings").exists());
}

#[test]
fn every_command_and_subcommand_is_in_the_bash_completion() {
    let p = Project::new();
    let bash = p.ok(&["completions", "bash"]);
    let top = bash
        .lines()
        .find(|l| l.trim_start().starts_with("opts=\"-h -V --color"))
        .expect("the top-level opts line");
    let words: Vec<&str> = top.trim().trim_end_matches('"').split(' ').collect();
    for name in commands() {
        assert!(words.contains(&name.as_str()), "{name} not in {top}");
        assert!(
            bash.contains(&format!("evolver,{name})")),
            "no case for {name}"
        );
    }
    for cmd in evolver::cli::command().get_subcommands() {
        for sub in cmd.get_subcommands() {
            let name = sub.get_name();
            assert!(
                bash.contains(&format!(",{name})")),
                "{} {name} not completed",
                cmd.get_name()
            );
        }
    }
}

#[test]
fn zsh_and_fish_completions_name_evolver_and_its_commands() {
    let p = Project::new();
    let zsh = p.ok(&["completions", "zsh"]);
    assert!(zsh.starts_with("#compdef evolver\n"), "{zsh}");
    assert!(zsh.contains("_evolver()"));
    assert!(zsh.contains("'--color=[Colour the output"));
    let fish = p.ok(&["completions", "fish"]);
    assert!(fish.contains("complete -c evolver "));
    for name in commands() {
        assert!(zsh.contains(&format!("'{name}:")), "zsh: {name}");
        assert!(fish.contains(&format!("-f -a \"{name}\"")), "fish: {name}");
    }
    // Only the three shells promised.
    p.fails(&["completions", "powershell"], 2);
    assert!(!p.path(".learnings").exists());
}

#[test]
fn the_man_page_is_titled_evolver_and_lists_every_command() {
    let p = Project::new();
    let man = p.ok(&["man"]);
    // clap_mangen defines the apostrophe string before the title: only requests come first.
    let head: Vec<&str> = man.lines().take_while(|l| !l.starts_with(".TH")).collect();
    assert!(head.iter().all(|l| l.starts_with('.')), "{head:?}");
    let title = man.lines().find(|l| l.starts_with(".TH")).expect(".TH");
    assert!(title.starts_with(".TH evolver 1 "), "{title}");
    assert!(
        man.find(".TH").unwrap() < man.find(".SH").unwrap(),
        "the title comes before the first section"
    );
    assert!(man.contains("\\fB\\-\\-color\\fR"));
    // roff writes a hyphen as `\-`.
    let text = man.replace("\\-", "-");
    for cmd in evolver::cli::command().get_subcommands() {
        let name = cmd.get_name();
        assert!(text.contains(&format!("evolver-{name}(1)")), "{name}");
        let about = cmd.get_about().expect("every command says what it does");
        let first_words: String = about.to_string().chars().take(20).collect();
        assert!(
            text.replace("\\*(Aq", "'").contains(&first_words),
            "{name}: {first_words}"
        );
    }
    assert!(!p.path(".learnings").exists());
}
