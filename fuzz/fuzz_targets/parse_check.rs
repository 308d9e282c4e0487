//! Any bytes: parse, check and format must never panic or overflow.
#![no_main]

use dash_compiler::{Input, analyze_inputs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let analysis = analyze_inputs(vec![("fuzz.dash".into(), Input::Bytes(data.to_vec()))]);
    // Rendering must cope with every span the checker produced.
    for d in &analysis.diagnostics {
        let _ = dash_compiler::diag::render::one_line(d, &analysis.files);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(formatted) = dash_compiler::fmt::format_source(text) {
            // Formatting is idempotent and keeps the program parseable.
            let again = dash_compiler::fmt::format_source(&formatted);
            assert_eq!(again.as_deref().ok(), Some(formatted.as_str()), "fmt not idempotent");
        }
    }
});
