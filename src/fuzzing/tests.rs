//! The seed corpus through every target (what `cargo test` runs of the
//! fuzzing), and one test per finding of the fuzzer.

use super::*;

fn seeds_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds")
}

#[test]
fn every_target_has_a_fuzz_target_file_and_seeds() {
    let targets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
    for (name, _) in TARGETS {
        assert!(
            targets.join(format!("{name}.rs")).is_file(),
            "fuzz/fuzz_targets/{name}.rs"
        );
        let seeds = std::fs::read_dir(seeds_dir().join(name))
            .map(|d| d.count())
            .unwrap_or(0);
        assert!(seeds >= 3, "fuzz/seeds/{name} holds {seeds} seeds");
    }
}

#[test]
fn the_seed_corpus_passes_every_target() {
    let mut count = 0;
    for (name, target) in TARGETS {
        let dir = seeds_dir().join(name);
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .collect();
        paths.sort();
        for path in paths {
            let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            // A finding names its seed.
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{name}: {} fails", path.display());
            count += 1;
        }
    }
    assert!(count >= 3 * TARGETS.len());
}

#[test]
fn the_targets_take_empty_and_odd_inputs() {
    for (_, target) in TARGETS {
        for data in [
            &b""[..],
            b"\x00",
            b"\x01",
            b"\xff\xfe",
            b"\x1f\x1f\x1f",
            &[0x01; 64],
        ] {
            target(data);
        }
    }
}

#[test]
fn the_whatwg_path_oracle_reads_dot_segments_as_fetch_does() {
    for (path, read) in [
        ("/a/b", vec!["a", "b"]),
        ("/a/../b", vec!["b"]),
        ("/2/.%2e/x", vec!["x"]),
        ("/2/%2E./x", vec!["x"]),
        ("/a/%2e%2E/", vec![""]),
        ("/a/./b/.", vec!["a", "b", ""]),
        ("/a\\..\\b", vec!["b"]),
        ("/a/%2e%2e%2e/b", vec!["a", "%2e%2e%2e", "b"]),
    ] {
        assert_eq!(whatwg_path(path), read, "{path}");
    }
}
