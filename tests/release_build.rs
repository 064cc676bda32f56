//! What the release profile keeps and drops (`[profile.release]` in
//! Cargo.toml; `cargo test --release` builds this test with it). The shipped
//! binary carries no debug info, which made it 70 MB, but keeps its symbol
//! table: a panic's backtrace still names the functions on the way, and
//! `perf` still resolves them.

use std::backtrace::Backtrace;
use std::cell::RefCell;

#[inline(never)]
fn a_deliberately_panicking_function(n: u32) -> u32 {
    if std::hint::black_box(n) > 0 {
        panic!("deliberately, with {n}");
    }
    n
}

#[test]
fn a_panic_names_its_place_and_its_backtrace_names_the_function() {
    thread_local! {
        static REPORT: RefCell<Option<String>> = const { RefCell::new(None) };
    }
    let previous = std::panic::take_hook();
    // What the default hook prints with RUST_BACKTRACE=1: the message with
    // its place, then the backtrace.
    std::panic::set_hook(Box::new(|info| {
        REPORT.with(|r| *r.borrow_mut() = Some(format!("{info}\n{}", Backtrace::force_capture())));
    }));
    let result = std::panic::catch_unwind(|| a_deliberately_panicking_function(1));
    std::panic::set_hook(previous);
    assert!(result.is_err(), "the function did not panic");
    let report = REPORT.with(|r| r.borrow_mut().take()).expect("the hook saw the panic");
    println!("{report}");
    assert!(report.contains("tests/release_build.rs:") && report.contains("deliberately, with 1"), "{report}");
    assert!(report.contains("release_build::a_deliberately_panicking_function"), "the backtrace does not name the function:\n{report}");
}

/// The names of an ELF64 little-endian file's sections.
#[cfg(target_os = "linux")]
fn elf_section_names(bytes: &[u8]) -> Vec<String> {
    assert_eq!(&bytes[..6], b"\x7fELF\x02\x01", "not a 64-bit little-endian ELF file");
    let u16_at = |at: usize| u16::from_le_bytes(bytes[at..at + 2].try_into().unwrap()) as usize;
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
    let (table, entry, count, names_index) = (u64_at(0x28), u16_at(0x3a), u16_at(0x3c), u16_at(0x3e));
    let header = |i: usize| table + i * entry;
    let names = u64_at(header(names_index) + 0x18);
    (0..count)
        .map(|i| {
            let start = names + u32_at(header(i));
            let end = start + bytes[start..].iter().position(|&b| b == 0).unwrap();
            String::from_utf8_lossy(&bytes[start..end]).into_owned()
        })
        .collect()
}

/// Only where the release profile built this test: the debug profile's
/// binary carries full debug info on purpose.
#[cfg(all(target_os = "linux", not(debug_assertions)))]
#[test]
fn the_release_binary_has_symbols_and_no_debug_info() {
    let path = env!("CARGO_BIN_EXE_pprof-lsp");
    let bytes = std::fs::read(path).unwrap();
    let sections = elf_section_names(&bytes);
    let debug: Vec<&String> = sections.iter().filter(|s| s.starts_with(".debug_") || s.starts_with(".zdebug_")).collect();
    assert!(debug.is_empty(), "{path} carries debug info: {debug:?}");
    assert!(sections.iter().any(|s| s == ".symtab"), "{path} has no symbol table: {sections:?}");
    let mib = bytes.len() as f64 / 1048576.0;
    println!("{path}: {mib:.1} MiB, sections {sections:?}");
    assert!(mib < 25.0, "{path} is {mib:.1} MiB");
}

#[cfg(target_os = "linux")]
#[test]
fn the_section_reader_sees_debug_sections_in_this_test() {
    // This test binary, from whichever profile: its sections are read, and
    // the debug profile's has DWARF.
    let bytes = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    let sections = elf_section_names(&bytes);
    assert!(sections.iter().any(|s| s == ".text") && sections.iter().any(|s| s == ".symtab"), "{sections:?}");
    assert_eq!(sections.iter().any(|s| s == ".debug_info"), cfg!(debug_assertions), "{sections:?}");
}
