//! The JIT: every function of an IR program compiled to native code with
//! Cranelift (`codegen/`), calling `extern "C"` helpers for what is not
//! inline (`helpers/`). It must agree with the interpreter on every
//! program and input; `tests/run.rs` and the differential test check it.
//!
//! Every IR operation is compiled: there is no fallback to the
//! interpreter.

mod arena;
mod codegen;
pub mod engine;
mod helpers;
pub mod testing;

use std::time::{Duration, Instant};

use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{Linkage, Module};

use dash_check::stdlib::EvalContext;
use dash_check::value::Value;
use dash_ir::interp::{Outcome, RowError, RowErrorCode};
use dash_ir::{FuncId, Program};
use dash_syntax::source::{FileId, Span};

use dash_ir::columns::{Columns, Shape};
use dash_ir::layout::slot_count;
use helpers::{Ctx, NativeFn, STATUS_FAILED, STATUS_SKIPPED, STATUS_VALUE, Site};

pub use codegen::Shapes;

/// A batch function: `(ctx, input table, output table, rows, status) -> 0`.
type BatchFn =
    unsafe extern "C" fn(*mut Ctx, *const *const u8, *const *mut u8, i64, *mut u8) -> i64;

/// Records with more leaf fields than this get no batch function (their
/// functions run row by row): a batch has a column per leaf, and nested
/// records can make that number grow exponentially.
const MAX_BATCH_SLOTS: u64 = 4096;

/// A function compiled over batches of `shapes`.
struct Batch {
    f: BatchFn,
    shapes: Shapes,
}

/// What a batch function made of a batch.
pub struct BatchOutput {
    /// The output records; rows that were skipped or failed hold zeros.
    pub columns: Columns,
    /// Per row: `STATUS_VALUE` (0), `STATUS_SKIPPED` (1) or `STATUS_FAILED` (2).
    pub status: Vec<u8>,
    /// The failed rows' errors, by row.
    pub failures: Vec<(usize, RowError)>,
}

impl BatchOutput {
    /// Each row's outcome, as the row function would have given it.
    pub fn outcomes(self) -> Vec<Outcome> {
        let mut failures = self.failures.into_iter().peekable();
        (0..self.status.len())
            .map(|row| match i64::from(self.status[row]) {
                STATUS_VALUE => Outcome::Value(self.columns.get(row)),
                STATUS_SKIPPED => Outcome::Skipped,
                _ => {
                    while failures.next_if(|(r, _)| *r < row).is_some() {}
                    match failures.next_if(|(r, _)| *r == row) {
                        Some((_, e)) => Outcome::Failed(e),
                        None => Outcome::Failed(no_error()),
                    }
                }
            })
            .collect()
    }
}

fn no_error() -> RowError {
    RowError {
        code: RowErrorCode::Fail,
        message: "the compiled code failed without an error".into(),
        file: FileId(0),
        span: Span::default(),
    }
}

/// Per-call scratch space, reused by every call.
#[derive(Default)]
struct Scratch {
    values: arena::Arena,
    bytes: arena::Bytes,
}

#[derive(Debug, thiserror::Error)]
pub enum JitError {
    #[error("the JIT cannot target this machine: {0}")]
    Target(String),
    #[error("code generation failed for `{function}`: {message}")]
    Codegen { function: String, message: String },
}

/// A compiled program. Its functions are callable while it lives.
pub struct Jit {
    /// Owns the executable memory; freed on drop.
    module: Option<JITModule>,
    functions: Vec<NativeFn>,
    /// Parameters of each function: `run` refuses fewer arguments.
    arity: Vec<usize>,
    sites: Vec<Site>,
    /// Batch variants of the functions that have one (`codegen::eligible`).
    batches: Vec<Option<Batch>>,
    /// Reused by every call (one call at a time: `Jit` is not `Sync`).
    scratch: std::cell::RefCell<Scratch>,
    /// The Cranelift IR of each function, when asked for.
    clif: Vec<String>,
    /// How long compiling took.
    pub compile_time: Duration,
}

impl Drop for Jit {
    fn drop(&mut self) {
        if let Some(module) = self.module.take() {
            // SAFETY: no function pointer outlives `self`: `run` borrows it.
            unsafe { module.free_memory() };
        }
    }
}

impl Jit {
    /// Compile every function of `program`.
    pub fn compile(program: &Program) -> Result<Jit, JitError> {
        Self::build(program, false)
    }

    /// The Cranelift IR of every function, as text (`--emit clif`).
    pub fn clif(program: &Program) -> Result<String, JitError> {
        let jit = Self::build(program, true)?;
        Ok(jit.clif.join("\n"))
    }

    fn build(program: &Program, keep_clif: bool) -> Result<Jit, JitError> {
        let started = Instant::now();
        let target = |e: &dyn std::fmt::Display| JitError::Target(e.to_string());
        let mut flags = settings::builder();
        flags.set("opt_level", "speed").map_err(|e| target(&e))?;
        // A NaN's sign and payload would depend on how Cranelift orders
        // and rewrites float operations; every arithmetic NaN is the
        // canonical one instead, as in the interpreter (docs/language.md).
        flags
            .set("enable_nan_canonicalization", "true")
            .map_err(|e| target(&e))?;
        flags
            .set("use_colocated_libcalls", "false")
            .map_err(|e| target(&e))?;
        flags.set("is_pic", "false").map_err(|e| target(&e))?;
        let isa = cranelift_native::builder()
            .map_err(|e| target(&e))?
            .finish(settings::Flags::new(flags))
            .map_err(|e| target(&e))?;
        let mut builder = JITBuilder::with_isa(isa, cranelift_module::default_libcall_names());
        for (name, ptr) in helpers::symbols() {
            builder.symbol(name, ptr);
        }
        let mut module = JITModule::new(builder);
        let codegen_error = |function: &str, e: &dyn std::fmt::Display| JitError::Codegen {
            function: function.to_string(),
            message: e.to_string(),
        };
        let imports =
            codegen::Imports::declare(&mut module).map_err(|e| codegen_error("<helpers>", &e))?;
        let signature = codegen::function_signature(&module);
        let batch_signature = codegen::batch_signature(&module);
        // Every function as a row function; those taking and giving
        // records also as a batch function.
        let mut jobs: Vec<(usize, Option<Shapes>)> =
            (0..program.functions.len()).map(|i| (i, None)).collect();
        for (i, f) in program.functions.iter().enumerate() {
            if let Some((input, output)) = codegen::eligible(f)
                && [input, output]
                    .iter()
                    .all(|r| slot_count(&program.records, *r) <= MAX_BATCH_SLOTS)
            {
                let shapes = Shapes {
                    input: Shape::new(&program.records, input),
                    output: Shape::new(&program.records, output),
                };
                jobs.push((i, Some(shapes)));
            }
        }
        let mut ids = Vec::new();
        for (i, shapes) in &jobs {
            let f = &program.functions[*i];
            let (name, sig) = match shapes {
                None => (format!("dash_fn_{i}"), &signature),
                Some(_) => (format!("dash_batch_{i}"), &batch_signature),
            };
            let id = module
                .declare_function(&name, Linkage::Local, sig)
                .map_err(|e| codegen_error(&f.name, &e))?;
            ids.push(id);
        }
        let mut sites = Vec::new();
        let mut clif = Vec::new();
        let mut ctx = module.make_context();
        let mut builder_ctx = FunctionBuilderContext::new();
        for ((i, shapes), id) in jobs.iter().zip(&ids) {
            let f = &program.functions[*i];
            ctx.func.signature = match shapes {
                None => signature.clone(),
                Some(_) => batch_signature.clone(),
            };
            let b = FunctionBuilder::new(&mut ctx.func, &mut builder_ctx);
            codegen::Translator::new(b, &mut module, &imports, &mut sites, f, shapes.as_ref())
                .translate();
            if keep_clif {
                let kind = if shapes.is_some() { " (batch)" } else { "" };
                clif.push(format!("; {}{kind}\n{}", f.name, ctx.func.display()));
            }
            module
                .define_function(*id, &mut ctx)
                .map_err(|e| codegen_error(&f.name, &format!("{e:?}")))?;
            module.clear_context(&mut ctx);
        }
        module
            .finalize_definitions()
            .map_err(|e| codegen_error("<module>", &e))?;
        let mut functions = Vec::new();
        let mut batches: Vec<Option<Batch>> = program.functions.iter().map(|_| None).collect();
        for ((i, shapes), id) in jobs.into_iter().zip(&ids) {
            let ptr = module.get_finalized_function(*id);
            match shapes {
                // SAFETY: compiled with `function_signature`, which is
                // `NativeFn`'s (ctx, args, out) -> status.
                None => functions.push(unsafe { std::mem::transmute::<*const u8, NativeFn>(ptr) }),
                Some(shapes) => {
                    // SAFETY: compiled with `batch_signature`, `BatchFn`'s.
                    let f = unsafe { std::mem::transmute::<*const u8, BatchFn>(ptr) };
                    batches[i] = Some(Batch { f, shapes });
                }
            }
        }
        Ok(Jit {
            module: Some(module),
            functions,
            arity: program.functions.iter().map(|f| f.params.len()).collect(),
            sites,
            batches,
            scratch: Default::default(),
            clif,
            compile_time: started.elapsed(),
        })
    }

    /// A context for one call, over the reused scratch space.
    fn context<'a>(&'a self, scratch: &'a mut Scratch, cx: &'a EvalContext) -> Ctx<'a> {
        let Scratch { values, bytes } = scratch;
        Ctx {
            dirty: 0,
            functions: &self.functions,
            sites: &self.sites,
            eval: cx,
            arena: values,
            bytes,
            input: std::ptr::null(),
            output: std::ptr::null_mut(),
            failures: Vec::new(),
            pending: None,
            nested: None,
            skipped: false,
            failure: None,
        }
    }

    /// Run a compiled function on one row.
    pub fn run(&self, func: FuncId, args: &[Value], cx: &EvalContext) -> Outcome {
        let arity = self.arity.get(func.0 as usize).copied().unwrap_or(0);
        let Some(f) = self
            .functions
            .get(func.0 as usize)
            .copied()
            .filter(|_| args.len() >= arity)
        else {
            return Outcome::Failed(RowError {
                code: RowErrorCode::Fail,
                message: "no such function, or too few arguments".into(),
                file: FileId(0),
                span: Span::default(),
            });
        };
        let Ok(mut scratch) = self.scratch.try_borrow_mut() else {
            return Outcome::Failed(reentered());
        };
        let mut ctx = self.context(&mut scratch, cx);
        let mut one = [std::ptr::null::<Value>()];
        let many: Vec<*const Value>;
        let argv: &[*const Value] = if args.len() == 1 {
            one[0] = &args[0];
            &one
        } else {
            many = args.iter().map(|a| a as *const Value).collect();
            &many
        };
        let mut out: *const Value = std::ptr::null();
        // SAFETY: `f` was compiled for `NativeFn`; `argv` holds one valid
        // pointer per parameter (checked above) and `ctx` outlives the
        // call. See helpers/mod.rs for the invariants.
        let status = unsafe { f(&mut ctx, argv.as_ptr(), &mut out) };
        let outcome = match status {
            // SAFETY: on success `out` points into the arena, the site
            // table or `args`, all still alive.
            STATUS_VALUE if !out.is_null() => Outcome::Value(unsafe { (*out).clone() }),
            STATUS_SKIPPED => Outcome::Skipped,
            _ => Outcome::Failed(ctx.failure.take().unwrap_or_else(no_error)),
        };
        ctx.arena.clear();
        ctx.bytes.clear();
        outcome
    }

    /// Whether `func` has a batch function, and over which shapes.
    pub fn batch_shapes(&self, func: FuncId) -> Option<&Shapes> {
        self.batches
            .get(func.0 as usize)?
            .as_ref()
            .map(|b| &b.shapes)
    }

    /// Run `func`'s batch function over `input`. `None` when it has none
    /// or `input` is not of the shape it was compiled for.
    pub fn run_columns(
        &self,
        func: FuncId,
        input: &Columns,
        cx: &EvalContext,
    ) -> Option<BatchOutput> {
        let batch = self.batches.get(func.0 as usize)?.as_ref()?;
        // The compiled code indexes these columns by row without bounds
        // checks, and its helpers walk the shape's tree: the batch must be
        // of the very shape it was compiled for (made from
        // `batch_shapes`), each column with `input.len` rows.
        if !std::sync::Arc::ptr_eq(&input.shape, &batch.shapes.input) || !input.is_consistent() {
            return None;
        }
        let mut scratch = self.scratch.try_borrow_mut().ok()?;
        let mut output = Columns::new(&batch.shapes.output, input.len);
        let mut status = vec![STATUS_FAILED as u8; input.len];
        let out: *mut Columns = &mut output;
        let in_table = input.raw();
        // SAFETY: `out` was just made from a live `&mut`; the table's
        // pointers come from `as_mut_ptr`, for the compiled code to write.
        let out_table = unsafe { &mut *out }.raw_mut();
        let mut ctx = self.context(&mut scratch, cx);
        ctx.input = input;
        ctx.output = out;
        // SAFETY: `f` was compiled for `BatchFn` over these shapes
        // (checked above); the tables hold one pointer per column and
        // null bit, each column `input.len` rows long (and the output
        // made so); `status` has a byte per row; `ctx` outlives the call.
        // Helpers reach `output` only through `ctx.output`, and its
        // string and value columns (which they change) are not in the
        // table the compiled code writes through.
        unsafe {
            (batch.f)(
                &mut ctx,
                in_table.as_ptr(),
                out_table.as_ptr(),
                input.len as i64,
                status.as_mut_ptr(),
            )
        };
        let failures = std::mem::take(&mut ctx.failures);
        ctx.arena.clear();
        ctx.bytes.clear();
        Some(BatchOutput {
            columns: output,
            status,
            failures,
        })
    }

    /// Run a one-parameter function over many records: through its
    /// batch function when it has one, else row by row.
    pub fn run_records(&self, func: FuncId, records: &[Value], cx: &EvalContext) -> Vec<Outcome> {
        if let Some(shapes) = self.batch_shapes(func) {
            let input = Columns::from_values(&shapes.input, records);
            if let Some(output) = self.run_columns(func, &input, cx) {
                return output.outcomes();
            }
        }
        records
            .iter()
            .map(|r| self.run(func, std::slice::from_ref(r), cx))
            .collect()
    }
}

fn reentered() -> RowError {
    RowError {
        code: RowErrorCode::Fail,
        message: "the JIT was re-entered".into(),
        file: FileId(0),
        span: Span::default(),
    }
}
