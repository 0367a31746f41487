//! The files postmortems refer to (images, PDFs, log excerpts), copied next to the page that
//! uses them: `postmortems/<id>/` plus where the reference put them ([`RefTarget::File`]'s
//! `dest`). Only the site's postmortems (publishable in this build) bring files, and only the
//! ones they refer to that the load found inside `content/`: a file no published postmortem
//! refers to is never copied, so nothing private reaches the site by sitting in a folder.

use std::collections::BTreeMap;

use super::view::postmortem_url;
use crate::enrich::Site;
use crate::model::{FileStatus, RefTarget};
use crate::output::OutputFile;

/// The copies the site needs, in path order (each path once; the first reference wins).
pub(crate) fn copies(site: &Site<'_>) -> Vec<OutputFile> {
    let mut out: BTreeMap<String, std::path::PathBuf> = BTreeMap::new();
    for pm in &site.postmortems {
        let dests = pm.body.references.iter().filter_map(|r| match &r.target {
            RefTarget::File { dest, .. } => Some(dest),
            _ => None,
        });
        for (dest, status) in dests.zip(&pm.files) {
            if let FileStatus::Found(from) = status {
                out.entry(format!("{}{dest}", postmortem_url(&pm.id)))
                    .or_insert_with(|| from.clone());
            }
        }
    }
    out.into_iter()
        .map(|(path, from)| OutputFile::copy(path, from))
        .collect()
}
