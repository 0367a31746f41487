//! `pmarchive init [DIR]`: writes a new archive (configuration, one example postmortem,
//! `.gitignore`) and prints the next two commands. Never overwrites: when any of its files
//! exists, or `content/` already holds files, nothing is written.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::error::{Error, Result};

/// Arguments of `pmarchive init`.
#[derive(Debug, Clone, clap::Args)]
pub struct InitArgs {
    /// The folder of the new archive (created when missing).
    #[arg(default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
}

/// Whether `dir` holds any file, at any depth.
fn holds_files(dir: &Path) -> bool {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_map(|e| e.ok())
        .any(|e| !e.file_type().is_dir())
}

/// Runs `init`.
pub fn run(args: InitArgs) -> Result<ExitCode> {
    let dir = &args.dir;
    let today = chrono::Utc::now().date_naive();
    let (example, example_text) = crate::init::example_postmortem(today);
    let files: Vec<(PathBuf, String)> = vec![
        (dir.join("pmarchive.toml"), crate::init::config_file()),
        (dir.join(".gitignore"), crate::init::GITIGNORE.to_string()),
        (dir.join("content").join(&example), example_text),
    ];
    let existing: Vec<String> = files
        .iter()
        .filter(|(p, _)| p.symlink_metadata().is_ok())
        .map(|(p, _)| p.display().to_string())
        .collect();
    if !existing.is_empty() {
        return Err(Error::Usage(format!(
            "init writes a new archive and overwrites nothing, but these exist: {}",
            existing.join(", ")
        )));
    }
    let content = dir.join("content");
    if content.is_dir() && holds_files(&content) {
        return Err(Error::Usage(format!(
            "{} already holds files: this looks like an archive already (init overwrites nothing)",
            content.display()
        )));
    }
    for (path, text) in &files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        // create_new: never overwrite, even if a file appeared in between.
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        file.write_all(text.as_bytes())
            .map_err(|e| Error::io(path, e))?;
    }
    let root = if dir == Path::new(".") {
        String::new()
    } else {
        format!(" --root {}", shell_word(&dir.display().to_string()))
    };
    println!("Created a new archive in {}:", dir.display());
    println!("  pmarchive.toml          every setting, commented, with its default");
    println!("  content/{example}");
    println!("  .gitignore              leaves the built site (public/) out of version control");
    println!();
    println!("Next:");
    println!(
        "  pmarchive serve{root}    # the site at http://127.0.0.1:1111/, rebuilt as you edit"
    );
    println!("  pmarchive check{root}    # what CI should run on every change");
    Ok(ExitCode::SUCCESS)
}

/// `word` quoted for a POSIX shell when it needs it.
fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
