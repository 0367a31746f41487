//! The code's structure: data flows one way, so no top-level module of `src/` imports one that
//! imports it back (directly or through others). The test reads the sources: every path through
//! `crate::` (and `super::` that climbs to the crate root) outside comments and test modules is
//! an edge from the file's top-level module to the one it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::harness::repo;

/// Known edges that close a circle, each to be removed by the work named: the test fails when
/// one is no longer there, so that the list never outlives it.
const ALLOWED: &[(&str, &str, &str)] = &[];

/// Top-level module -> (module it uses -> the first file that does).
type Graph = BTreeMap<String, BTreeMap<String, String>>;

/// The module path of a source file relative to `src/` (`render/view.rs` -> `[render, view]`).
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The first identifier of `s`.
fn ident(s: &str) -> &str {
    let end = s.find(|c: char| !is_ident(c)).unwrap_or(s.len());
    &s[..end]
}

/// The first identifier of each item of a `{a::b, c, d::{e, f}}` group (`s` starts after `{`).
fn group_heads(s: &str) -> Vec<&str> {
    let mut heads = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                heads.push(ident(s[start..i].trim_start()));
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                heads.push(ident(s[start..i].trim_start()));
                start = i + 1;
            }
            _ => {}
        }
    }
    heads.into_iter().filter(|h| !h.is_empty()).collect()
}

/// The top-level modules a file of module `path` names (its own included), from its source
/// without comments and without its test module.
fn uses(path: &[String], source: &str) -> BTreeSet<String> {
    // Clippy keeps the test module last (`items_after_test_module`).
    let code = match source.find("#[cfg(test)]\nmod tests") {
        Some(at) => &source[..at],
        None => source,
    };
    let code: String = code
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = BTreeSet::new();
    let mut add = |rest: &str| {
        if let Some(group) = rest.strip_prefix('{') {
            out.extend(group_heads(group).into_iter().map(String::from));
        } else {
            out.insert(ident(rest).to_string());
        }
    };
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| is_ident(c) || c == '$' || c == ':') {
            continue;
        }
        add(&code[at + "crate::".len()..]);
    }
    // `super::` climbing to the crate root.
    for (at, _) in code.match_indices("super::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| is_ident(c) || c == ':') {
            continue;
        }
        let mut rest = &code[at..];
        let mut climbs = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            rest = r;
            climbs += 1;
        }
        if climbs >= path.len() {
            add(rest);
        }
    }
    out
}

/// The graph of `src/`'s top-level modules.
fn graph(src: &Path) -> Graph {
    let modules: BTreeSet<String> = std::fs::read_dir(src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let name = p.file_stem()?.to_string_lossy().into_owned();
            let module = p.extension().is_some_and(|x| x == "rs") || p.join("mod.rs").is_file();
            (module && name != "main" && name != "lib").then_some(name)
        })
        .collect();
    let mut graph = Graph::new();
    for entry in walkdir::WalkDir::new(src).sort_by_file_name() {
        let entry = entry.unwrap();
        let file = entry.path();
        if file.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let rel = file.strip_prefix(src).unwrap();
        let path = module_path(rel);
        // The binary, the module list, and modules compiled for tests only.
        if path == ["main"] || path == ["lib"] || path.last().is_some_and(|p| p == "tests") {
            continue;
        }
        let source = std::fs::read_to_string(file).unwrap();
        let from = &path[0];
        for to in uses(&path, &source) {
            if &to != from && modules.contains(&to) {
                graph
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_insert_with(|| rel.display().to_string());
            }
        }
    }
    graph
}

/// A circle of the graph, as the modules along it, if there is one.
fn circle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        done: &mut BTreeSet<String>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut found = stack[at..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flat_map(|e| e.keys()) {
            if let Some(found) = visit(next, graph, done, stack) {
                return Some(found);
            }
        }
        stack.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut done, &mut Vec::new()))
}

#[test]
fn no_import_circle_between_the_top_level_modules() {
    let mut graph = graph(&repo().join("src"));
    // The scan sees the imports it must (or it would find no circle by finding nothing).
    for (from, to) in [
        ("render", "enrich"),
        ("cli", "build"),
        ("content", "model"),
        ("search", "text"),
    ] {
        assert!(
            graph.get(from).is_some_and(|e| e.contains_key(to)),
            "{from} -> {to} not seen: {graph:#?}"
        );
    }
    for (from, to, why) in ALLOWED {
        let removed = graph.get_mut(*from).and_then(|e| e.remove(*to));
        assert!(
            removed.is_some(),
            "{from} -> {to} ({why}) is gone: take it out of ALLOWED"
        );
    }
    if let Some(found) = circle(&graph) {
        let steps: Vec<String> = found
            .windows(2)
            .map(|w| format!("{} -> {} ({})", w[0], w[1], graph[&w[0]][&w[1]]))
            .collect();
        panic!("import circle:\n  {}", steps.join("\n  "));
    }
}

#[test]
fn the_import_scan_reads_paths_groups_and_climbs() {
    let path = |p: &str| module_path(Path::new(p));
    assert_eq!(path("render/view.rs"), ["render", "view"]);
    assert_eq!(path("render/mod.rs"), ["render"]);
    let source = "use crate::{model::A, text::{b, c}, error};\n\
                  use super::super::audience::X; // crate::comment\n\
                  fn f() { crate::output::write(); $crate::macro_only(); }\n\
                  use super::view;\n\
                  #[cfg(test)]\nmod tests { use crate::search; }\n";
    let got = uses(&path("render/insights/actions.rs"), source);
    let want: BTreeSet<String> = ["model", "text", "error", "output"]
        .map(String::from)
        .into();
    assert_eq!(
        got, want,
        "two climbs from render/insights/actions stay in render"
    );
    let got = uses(&path("render/api.rs"), source);
    assert!(got.contains("audience"), "{got:?}");
    assert!(!got.contains("view"), "{got:?}");
    // A circle is found and named; a one-way graph has none.
    let mut g = Graph::new();
    for (a, b) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        g.entry(a.into())
            .or_default()
            .insert(b.into(), String::new());
    }
    assert_eq!(circle(&g).unwrap(), ["a", "b", "c", "a"]);
    g.get_mut("c").unwrap().remove("a");
    assert_eq!(circle(&g), None);
}
