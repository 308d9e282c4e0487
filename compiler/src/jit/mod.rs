//! The JIT: every function of an IR program compiled to native code with
//! Cranelift (`codegen.rs`), calling `extern "C"` helpers for what is not
//! inline (`helpers.rs`). It must agree with the interpreter on every
//! program and input; `tests/jit.rs` and the differential test check it.
//!
//! Every IR operation is compiled: there is no fallback to the
//! interpreter.

mod arena;
mod codegen;
mod helpers;

use std::time::{Duration, Instant};

use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{Linkage, Module};

use crate::interp::{Outcome, RowError, RowErrorCode};
use crate::ir::{FuncId, Program};
use crate::source::{FileId, Span};
use crate::stdlib::EvalContext;
use crate::value::Value;

use helpers::{Ctx, NativeFn, STATUS_SKIPPED, STATUS_VALUE, Site};

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
    /// Reused by every call (one call at a time: `Jit` is not `Sync`).
    arena: std::cell::RefCell<arena::Arena>,
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
        let mut ids = Vec::new();
        for (i, f) in program.functions.iter().enumerate() {
            let id = module
                .declare_function(&format!("dash_fn_{i}"), Linkage::Local, &signature)
                .map_err(|e| codegen_error(&f.name, &e))?;
            ids.push(id);
        }
        let mut sites = Vec::new();
        let mut clif = Vec::new();
        let mut ctx = module.make_context();
        let mut builder_ctx = FunctionBuilderContext::new();
        for (f, id) in program.functions.iter().zip(&ids) {
            ctx.func.signature = signature.clone();
            let b = FunctionBuilder::new(&mut ctx.func, &mut builder_ctx);
            codegen::Translator::new(b, &mut module, &imports, &mut sites, f).translate();
            if keep_clif {
                clif.push(format!("; {}\n{}", f.name, ctx.func.display()));
            }
            module
                .define_function(*id, &mut ctx)
                .map_err(|e| codegen_error(&f.name, &format!("{e:?}")))?;
            module.clear_context(&mut ctx);
        }
        module
            .finalize_definitions()
            .map_err(|e| codegen_error("<module>", &e))?;
        let functions = ids
            .iter()
            .map(|id| {
                let ptr = module.get_finalized_function(*id);
                // SAFETY: compiled with `function_signature`, which is
                // `NativeFn`'s (ctx, args, out) -> status.
                unsafe { std::mem::transmute::<*const u8, NativeFn>(ptr) }
            })
            .collect();
        Ok(Jit {
            module: Some(module),
            functions,
            arity: program.functions.iter().map(|f| f.params.len()).collect(),
            sites,
            arena: Default::default(),
            clif,
            compile_time: started.elapsed(),
        })
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
        let Ok(mut arena) = self.arena.try_borrow_mut() else {
            return Outcome::Failed(RowError {
                code: RowErrorCode::Fail,
                message: "the JIT was re-entered".into(),
                file: FileId(0),
                span: Span::default(),
            });
        };
        let mut ctx = Ctx {
            functions: &self.functions,
            sites: &self.sites,
            eval: cx,
            arena: &mut arena,
            pending: None,
            nested: None,
            skipped: false,
            failure: None,
        };
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
        // call. See helpers.rs for the invariants.
        let status = unsafe { f(&mut ctx, argv.as_ptr(), &mut out) };
        let outcome = match status {
            // SAFETY: on success `out` points into the arena, the site
            // table or `args`, all still alive.
            STATUS_VALUE if !out.is_null() => Outcome::Value(unsafe { (*out).clone() }),
            STATUS_SKIPPED => Outcome::Skipped,
            _ => Outcome::Failed(ctx.failure.take().unwrap_or(RowError {
                code: RowErrorCode::Fail,
                message: "the compiled code failed without an error".into(),
                file: FileId(0),
                span: Span::default(),
            })),
        };
        ctx.arena.clear();
        outcome
    }

    /// Run a compiled function over a batch of rows.
    pub fn run_batch(&self, func: FuncId, rows: &[Vec<Value>], cx: &EvalContext) -> Vec<Outcome> {
        rows.iter().map(|args| self.run(func, args, cx)).collect()
    }
}
