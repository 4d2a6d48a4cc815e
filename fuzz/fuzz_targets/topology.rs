//! Any text either loads as a topology or gives located errors; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(diagnostics) = aio_topology::parse_str("fuzz.toml", text) {
        assert!(!diagnostics.items.is_empty());
        for d in &diagnostics.items {
            assert!(d.span.start <= text.len(), "a span past the end");
        }
        let _ = diagnostics.to_string();
    }
});
