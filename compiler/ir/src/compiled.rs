//! A checked project lowered for running: what the runtime receives. It
//! holds the checker's program (record types and the typed run plan), the
//! IR, and the source files (for the locations of row errors); never the
//! syntax tree.

use dash_check::Analysis;
use dash_check::plan::RunPlan;
use dash_syntax::SourceFile;

#[derive(Clone, Debug)]
pub struct Compiled {
    pub checked: dash_check::Program,
    pub ir: crate::Program,
    pub files: Vec<SourceFile>,
}

impl Compiled {
    pub fn plan(&self) -> &RunPlan {
        &self.checked.plan
    }
}

/// Lower an analysis. Meant for one without errors: a declaration with
/// an error has no entry in the run plan.
pub fn compile(analysis: &Analysis) -> Compiled {
    Compiled {
        checked: analysis.program.clone(),
        ir: crate::lower::lower(analysis),
        files: analysis.files.clone(),
    }
}
