//! Any bytes: parse, check and format must never panic or overflow.
#![no_main]

use dash_check::{Input, analyze_inputs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let analysis = analyze_inputs(vec![("fuzz.dash".into(), Input::Bytes(data.to_vec()))]);
    // Rendering must cope with every span the checker produced.
    for d in &analysis.diagnostics {
        let _ = dash_syntax::diag::render::one_line(d, &analysis.files);
    }
    // Editor features at a few offsets must not panic either.
    if let Some(file) = analysis.files.first() {
        let file_id = dash_syntax::FileId(0);
        let len = file.text.len();
        for offset in [0, len / 3, len / 2, len.saturating_sub(1), len] {
            let _ = dash_ide::hover(&analysis, file_id, offset);
            let _ = dash_ide::complete(&analysis, None, file_id, &file.text, offset);
            if let Some(r) = dash_ide::symbol_at(&analysis, file_id, offset) {
                let _ = dash_ide::definition(&analysis, &r.symbol);
            }
        }
        let _ = dash_ide::tokens(&analysis, file_id);
        let _ = dash_ide::outline(&analysis, file_id);
    }
    // A program without errors lowers and its tests run.
    if analysis.error_count() == 0 {
        let program = dash_ir::lower::lower(&analysis);
        let _ = dash_jit::testing::run_tests(
            &analysis,
            &program,
            dash_jit::engine::Engine::Interp(&program),
            0,
        );
        if let Ok(jit) = dash_jit::Jit::compile(&program) {
            let _ = dash_jit::testing::run_tests(
                &analysis,
                &program,
                dash_jit::engine::Engine::Jit(&jit),
                0,
            );
        }
        let _ = dash_ir::print_program(&program);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(formatted) = dash_syntax::fmt::format_source(text) {
            // Formatting is idempotent and keeps the program parseable.
            let again = dash_syntax::fmt::format_source(&formatted);
            assert_eq!(again.as_deref().ok(), Some(formatted.as_str()), "fmt not idempotent");
        }
    }
});
