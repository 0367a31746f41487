//! Inputs the fuzzer (`fuzz/`, README "Fuzzing") once crashed on, replayed through the same
//! pipeline as the fuzz target: parse with each configuration, lint, render the diagnostics.
//! Each must pass without a panic.

use pmarchive::fuzzing::DocumentFuzz;

use crate::harness::repo;

#[test]
fn fuzz_regressions_pass() {
    let dir = repo().join("fuzz/regressions");
    let fuzz = DocumentFuzz::new();
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") || path.is_file() {
            let data = std::fs::read(&path).unwrap();
            // Every configuration, whatever the first byte says.
            for pick in 0..fuzz.configs.len() {
                let mut input = data.clone();
                if let Some(b) = input.first_mut() {
                    *b = pick as u8;
                }
                fuzz.run(&input);
            }
            n += 1;
        }
    }
    assert!(n > 0, "no regression inputs in {}", dir.display());
}
