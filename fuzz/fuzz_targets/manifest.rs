//! Any text as `effect.toml`: the checker must report, never panic, and every diagnostic
//! it gives must point inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let checked = effect_api::manifest::check("effect.toml", text);
    let lines = text.lines().count().max(1) + 1;
    for diagnostic in &checked.diagnostics {
        assert!(
            diagnostic.line <= lines,
            "{diagnostic} points past the text"
        );
        let _ = diagnostic.to_string();
    }
});
