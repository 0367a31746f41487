use super::*;
use std::time::{Duration, SystemTime};

fn doc(title: &str) -> String {
    format!("+++\ntitle = \"{title}\"\ndate = 2025-03-01\nseverity = \"SEV2\"\n+++\nBody.\n")
}

/// Writes `text` into `path` in place (same inode) and sets its modification time.
fn write_at(path: &Path, text: &str, modified: SystemTime) {
    std::fs::write(path, text).unwrap();
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(modified).unwrap();
}

fn titles(root: &Path, cache: &ParseCache) -> Vec<String> {
    let config = Config::default();
    let hl = Highlighter::new();
    let (pms, _) = read_archive_cached(
        root,
        &root.join("content"),
        &config,
        &hl,
        &|| {},
        Some(cache),
    );
    pms.into_iter().map(|p| p.title).collect()
}

#[test]
fn the_parse_cache_trusts_a_stamp_only_once_the_file_has_settled() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("content")).unwrap();
    let old = root.join("content/old.md");
    let new = root.join("content/new.md");
    let long_ago = SystemTime::now() - Duration::from_secs(60);
    write_at(&old, &doc("Old AAAA"), long_ago);
    let just_now = SystemTime::now();
    write_at(&new, &doc("New AAAA"), just_now);
    let cache = ParseCache::default();
    assert_eq!(titles(root, &cache), ["New AAAA", "Old AAAA"]);

    // A settled file with the same stamp is not read again: even text changed behind the
    // stamp's back (same length, same inode, time set back) is not seen.
    write_at(&old, &doc("Old BBBB"), long_ago);
    // A file read right after it was written is read again, whatever its stamp.
    write_at(&new, &doc("New BBBB"), just_now);
    assert_eq!(titles(root, &cache), ["New BBBB", "Old AAAA"]);

    // A settled file whose time moved is read again.
    write_at(&old, &doc("Old CCCC"), long_ago + Duration::from_secs(1));
    assert_eq!(titles(root, &cache), ["New BBBB", "Old CCCC"]);
}
