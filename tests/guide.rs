//! The README, the user guide (docs/guide/) and `--help` agree: every
//! command's help names the chapter that documents it, every command the
//! guide documents exists, every link of the documentation leads to a file,
//! and the README stays short enough to read in five minutes.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn help(args: &[&str]) -> String {
    let out = Command::cargo_bin("tifa")
        .expect("binary")
        .args(args)
        .output()
        .expect("run tifa");
    assert!(out.status.success(), "tifa {args:?} failed");
    String::from_utf8(out.stdout).expect("utf8")
}

/// The commands `tifa --help` lists (clap's own `help` aside).
fn commands() -> Vec<String> {
    let top = help(&["--help"]);
    top.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        // A command's line; a long description goes on in deeper-indented lines.
        .filter(|l| !l[2..].starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn each_command_help_names_the_chapter_that_documents_it() {
    let commands = commands();
    assert!(commands.len() >= 15, "{commands:?}");
    for command in &commands {
        let text = help(&[command, "--help"]);
        let chapter = text
            .lines()
            .find_map(|l| l.strip_prefix("Guide: docs/guide/"))
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("`tifa {command} --help` names no chapter"));
        let page = read(&root().join("docs/guide").join(chapter));
        assert!(
            [" ", "`", "\n"]
                .iter()
                .any(|end| page.contains(&format!("tifa {command}{end}"))),
            "{chapter} does not document `tifa {command}`"
        );
    }
}

#[test]
fn each_command_the_guide_documents_exists() {
    let commands = commands();
    let mut documented = 0;
    for entry in std::fs::read_dir(root().join("docs/guide")).expect("docs/guide") {
        let path = entry.expect("entry").path();
        for line in read(&path).lines() {
            // The headings that document a command: ## `tifa NAME …`
            if let Some(rest) = line.strip_prefix("## `tifa ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase())
                    .collect();
                assert!(
                    commands.contains(&name),
                    "{} documents `tifa {name}`, which is not a command",
                    path.display()
                );
                documented += 1;
            }
        }
    }
    assert!(
        documented >= 15,
        "only {documented} command headings in the guide"
    );
}

#[test]
fn documentation_links_lead_to_files() {
    let mut pages = vec![
        root().join("README.md"),
        root().join("docs/architecture.md"),
    ];
    for entry in std::fs::read_dir(root().join("docs/guide")).expect("docs/guide") {
        pages.push(entry.expect("entry").path());
    }
    let mut links = 0;
    for page in &pages {
        let text = read(page);
        for (i, _) in text.match_indices("](") {
            let target: String = text[i + 2..].chars().take_while(|&c| c != ')').collect();
            let file = target.split('#').next().unwrap_or("");
            if file.is_empty() || file.contains("://") {
                continue;
            }
            // The shared corpus lives beside the project, not in it.
            if file.starts_with("../shared") {
                continue;
            }
            let resolved = page.parent().expect("folder").join(file);
            assert!(
                resolved.exists(),
                "{}: link to {target} leads nowhere",
                page.display()
            );
            links += 1;
        }
    }
    assert!(links > 20, "only {links} links checked");
}

#[test]
fn the_readme_is_short_and_names_every_chapter() {
    let readme = read(&root().join("README.md"));
    let lines = readme.lines().count();
    assert!(lines <= 250, "README.md has {lines} lines (at most 250)");
    for entry in std::fs::read_dir(root().join("docs/guide")).expect("docs/guide") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .to_string();
        if name != "README.md" {
            assert!(
                readme.contains(&format!("docs/guide/{name}")),
                "README.md does not name {name}"
            );
        }
    }
}
