//! The persistent cache of embeddings: one file, `embeddings.bin` in the cache folder, read
//! whole and written whole (a temporary file renamed over it, so a killed build never leaves
//! half a file).
//!
//! Format (little-endian), version 1: the magic `PMAEMB\0\0`, the version (u32), the vector
//! length (u32), the model's identity (16 bytes), the number of entries (u32), then each
//! entry: its key (16 bytes: a hash of the model and the embedded text) and its quantised
//! vector (one i8 per dimension). A file of another version, model or length is ignored.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// The cache file's name in the cache folder.
pub(super) const FILE: &str = "embeddings.bin";

const MAGIC: &[u8; 8] = b"PMAEMB\0\0";
const VERSION: u32 = 1;
const HEADER: usize = 8 + 4 + 4 + 16 + 4;

/// A key or a model identity.
pub(super) type Key = [u8; 16];

/// The cached vectors by key.
pub(super) type Entries = HashMap<Key, Vec<i8>>;

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// Reads the cache file at `path` for `model` (vectors of `dims`): its entries, none when
/// there is no file or it holds another model's vectors; `Err` (a sentence) when it cannot be
/// read or is not a cache file of this version.
pub(super) fn read(path: &Path, model: &Key, dims: usize) -> Result<Entries, String> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Entries::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let bad = || {
        format!(
            "{} is not an embedding cache of this version",
            path.display()
        )
    };
    if bytes.len() < HEADER || &bytes[..8] != MAGIC || u32_at(&bytes, 8) != Some(VERSION) {
        return Err(bad());
    }
    let stored_dims = u32_at(&bytes, 12).ok_or_else(bad)? as usize;
    let count = u32_at(&bytes, 32).ok_or_else(bad)? as usize;
    let entry = 16 + stored_dims;
    if count.checked_mul(entry).and_then(|b| b.checked_add(HEADER)) != Some(bytes.len()) {
        return Err(bad());
    }
    if &bytes[16..32] != model || stored_dims != dims {
        return Ok(Entries::new());
    }
    let mut out = Entries::with_capacity(count);
    for e in bytes[HEADER..].chunks_exact(entry) {
        let (key, vector) = e.split_at(16);
        let key: Key = key.try_into().map_err(|_| bad())?;
        out.insert(key, vector.iter().map(|&b| b as i8).collect());
    }
    Ok(out)
}

/// Writes `entries` (in key order, so the file depends on its contents only) as the cache file
/// at `path`, through a temporary file in the same folder renamed over it.
pub(super) fn write(
    path: &Path,
    model: &Key,
    dims: usize,
    entries: &Entries,
) -> Result<(), String> {
    let failed = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(failed)?;
    let mut keys: Vec<&Key> = entries.keys().collect();
    keys.sort_unstable();
    let mut bytes = Vec::with_capacity(HEADER + keys.len() * (16 + dims));
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&VERSION.to_le_bytes());
    bytes.extend_from_slice(&(dims as u32).to_le_bytes());
    bytes.extend_from_slice(model);
    bytes.extend_from_slice(&(keys.len() as u32).to_le_bytes());
    for k in keys {
        bytes.extend_from_slice(k);
        bytes.extend(entries[k].iter().map(|&v| v as u8));
    }
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
    tmp.write_all(&bytes).map_err(failed)?;
    tmp.persist(path).map_err(|e| failed(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_other_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let model = [7u8; 16];
        let mut entries = Entries::new();
        entries.insert([1; 16], vec![1, -2, 127]);
        entries.insert([0; 16], vec![-128, 0, 5]);
        write(&path, &model, 3, &entries).unwrap();
        assert_eq!(read(&path, &model, 3).unwrap(), entries);
        // Another model's or length's vectors are not this model's.
        assert!(read(&path, &[8; 16], 3).unwrap().is_empty());
        assert!(read(&path, &model, 4).unwrap().is_empty());
        // A cut file is not a cache.
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        assert!(read(&path, &model, 3).is_err());
        std::fs::write(&path, b"hello").unwrap();
        assert!(read(&path, &model, 3).is_err());
        assert!(read(&dir.path().join("none"), &model, 3)
            .unwrap()
            .is_empty());
    }
}
