//! The front matter of a file read without keeping its body, for the postmortems `check
//! FILE...` reads only for archive-wide rules (see [`read_front_source`]).

use super::{too_large, SourceFile, MAX_FILE_BYTES};
use crate::error::Diagnostic;

/// [`super::read_source`] of the front matter only: the text up to and including the closing fence,
/// for the postmortems `check FILE...` reads for archive-wide rules. The rest of the file is
/// read too, in pieces through one reused buffer and never kept, so that a file is refused for
/// exactly what [`super::read_source`] refuses it for (its size, a byte that is not UTF-8 anywhere);
/// the diagnostic's position may differ (it is not reported: the file was not named).
pub(super) fn read_front_source(file: &SourceFile) -> std::result::Result<String, Diagnostic> {
    use std::io::Read;
    let io = |e: std::io::Error| Diagnostic::error(&file.rel, (1, 1), "io/read", e.to_string());
    let (f, _) = super::open_regular(file)?;
    let mut f = f.take(MAX_FILE_BYTES + 1);
    let not_utf8 = || {
        Diagnostic::error(
            &file.rel,
            (1, 1),
            "io/encoding",
            "the file is not valid UTF-8",
        )
        .suggest("save the file as UTF-8")
    };
    // The front matter: read until a line closes it (or the file ends).
    let mut bytes: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    let mut scanned = 0;
    let front_end = loop {
        if let Some(end) = front_matter_end(&bytes, &mut scanned) {
            break Some(end);
        }
        let n = f.read(&mut chunk).map_err(io)?;
        if n == 0 {
            break None;
        }
        bytes.extend_from_slice(&chunk[..n]);
    };
    let Some(end) = front_end else {
        // No closing fence: the whole file was read, as read_source reads it.
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(too_large(&file.rel, bytes.len() as u64));
        }
        return String::from_utf8(bytes).map_err(|_| not_utf8());
    };
    // The rest: checked for UTF-8 piece by piece (a character may span two pieces).
    let mut carry: Vec<u8> = bytes[end..].to_vec();
    let mut total = bytes.len() as u64;
    bytes.truncate(end);
    let front = String::from_utf8(bytes).map_err(|_| not_utf8())?;
    loop {
        match std::str::from_utf8(&carry) {
            Ok(_) => carry.clear(),
            Err(e) if e.error_len().is_some() => return Err(not_utf8()),
            Err(e) => {
                let valid = e.valid_up_to();
                carry.drain(..valid);
            }
        }
        let n = f.read(&mut chunk).map_err(io)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        carry.extend_from_slice(&chunk[..n]);
    }
    if total > MAX_FILE_BYTES {
        return Err(too_large(&file.rel, total));
    }
    if !carry.is_empty() {
        return Err(not_utf8());
    }
    Ok(front)
}

/// The byte offset just after the line that closes the front matter opened on the first line
/// (`+++` or `---`, as [`super::frontmatter::split`] finds it), once `bytes` holds it; `scanned` keeps
/// how far complete lines were looked at between calls.
fn front_matter_end(bytes: &[u8], scanned: &mut usize) -> Option<usize> {
    if *scanned == usize::MAX {
        return None;
    }
    let bom = if bytes.starts_with("\u{feff}".as_bytes()) {
        3
    } else {
        0
    };
    let first_end = bom + bytes[bom..].iter().position(|&b| b == b'\n')? + 1;
    let fence = trim_end_ascii(&bytes[bom..first_end]);
    if fence != b"+++" && fence != b"---" {
        // Not plainly a fence (split also takes one followed by other white space, and
        // reports a file without one): the whole file is read, as read_source reads it.
        *scanned = usize::MAX;
        return None;
    }
    let mut at = (*scanned).max(first_end);
    while let Some(len) = bytes[at..].iter().position(|&b| b == b'\n') {
        let line = &bytes[at..at + len + 1];
        if trim_end_ascii(line) == fence {
            return Some(at + len + 1);
        }
        at += len + 1;
    }
    *scanned = at;
    None
}

/// `s` without trailing white space, as `str::trim_end` trims a line (ASCII is enough here: a
/// fence line is ASCII, and a line ending in other white space is no fence either way).
fn trim_end_ascii(s: &[u8]) -> &[u8] {
    let mut end = s.len();
    while end > 0 && s[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn read(bytes: &[u8]) -> Result<String, Diagnostic> {
        let dir = tempfile::tempdir().unwrap();
        let abs = dir.path().join("a.md");
        std::fs::write(&abs, bytes).unwrap();
        read_front_source(&SourceFile {
            rel: Path::new("content/a.md").to_path_buf(),
            abs,
        })
    }

    #[test]
    fn reads_the_front_matter_and_checks_the_rest() {
        let body = "é".repeat(5000);
        let text = format!("+++\ntitle = \"x\"\n+++\n{body}\n");
        assert_eq!(read(text.as_bytes()).unwrap(), "+++\ntitle = \"x\"\n+++\n");
        // A fence with a carriage return or spaces after it, a byte-order mark.
        let crlf = "\u{feff}---\r\ntitle: x\r\n---  \r\nbody\r\n";
        assert_eq!(
            read(crlf.as_bytes()).unwrap(),
            "\u{feff}---\r\ntitle: x\r\n---  \r\n"
        );
        // Not UTF-8 after the front matter, far after it, or cut at the end: refused.
        for bad in [
            [text.as_bytes(), b"\xff"].concat(),
            [b"+++\n+++\n".as_slice(), &[b'a'; 10_000], b"\xc3"].concat(),
            [b"+++\n+++\n".as_slice(), &[b'a'; 4093], b"\xc3(".as_slice()].concat(),
        ] {
            assert_eq!(read(&bad).unwrap_err().rule, "io/encoding");
        }
        // A character split across two reads is fine.
        let split = [
            b"+++\n+++\n".as_slice(),
            &[b'a'; 4091],
            "é".as_bytes(),
            b"z",
        ]
        .concat();
        assert!(read(&split).is_ok());
        // No closing fence, no fence, a fence with other white space: the whole file.
        for whole in [
            "+++\ntitle = 1\n",
            "# no front matter\n",
            "+++\u{a0}\nx = 1\n+++\u{a0}\nbody\n",
        ] {
            assert_eq!(read(whole.as_bytes()).unwrap(), whole);
        }
    }
}
