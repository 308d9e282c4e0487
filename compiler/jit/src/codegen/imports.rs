//! The helpers as Cranelift imports, and the signatures of compiled
//! functions.

use cranelift_codegen::ir::{AbiParam, Signature, types};
use cranelift_module::{FuncId as ModuleFuncId, Module};

use super::{F64, I64};

/// The helpers as imported into the module.
pub struct Imports {
    pub ids: Vec<(&'static str, ModuleFuncId)>,
}

fn sig(module: &dyn Module, params: &[types::Type], returns: &[types::Type]) -> Signature {
    let mut s = module.make_signature();
    s.params.extend(params.iter().map(|t| AbiParam::new(*t)));
    s.returns.extend(returns.iter().map(|t| AbiParam::new(*t)));
    s
}

impl Imports {
    pub fn declare(module: &mut dyn Module) -> Result<Imports, String> {
        let table: &[(&'static str, &[types::Type], &[types::Type])] = &[
            ("dash_box", &[I64, I64, I64, I64], &[I64]),
            ("dash_unbox", &[I64, I64], &[I64]),
            ("dash_is_null", &[I64], &[I64]),
            ("dash_const", &[I64, I64], &[I64]),
            ("dash_field", &[I64, I64, I64], &[I64]),
            ("dash_compare", &[I64, I64, I64], &[I64]),
            ("dash_fmod", &[F64, F64], &[F64]),
            ("dash_round", &[I64, F64, I64, I64], &[I64]),
            ("dash_concat2", &[I64, I64, I64], &[I64]),
            ("dash_concat", &[I64, I64, I64], &[I64]),
            ("dash_to_float", &[I64, I64], &[I64]),
            ("dash_record", &[I64, I64, I64, I64], &[I64]),
            ("dash_list", &[I64, I64, I64], &[I64]),
            ("dash_index", &[I64, I64, I64], &[I64]),
            ("dash_call_builtin", &[I64, I64, I64, I64], &[I64]),
            ("dash_call_fn", &[I64, I64, I64, I64], &[I64]),
            ("dash_skipped", &[I64], &[I64]),
            ("dash_clear", &[I64], &[]),
            ("dash_fail_at", &[I64, I64], &[]),
            ("dash_fail_message", &[I64, I64, I64], &[]),
            ("dash_str_box", &[I64, I64, I64, I64], &[I64]),
            ("dash_str_parts", &[I64, I64], &[I64]),
            ("dash_str_trim", &[I64, I64, I64], &[I64]),
            ("dash_str_lower", &[I64, I64, I64, I64], &[I64]),
            ("dash_str_upper", &[I64, I64, I64, I64], &[I64]),
            ("dash_str_len", &[I64, I64], &[I64]),
            ("dash_str_cmp", &[I64, I64, I64, I64], &[I64]),
            ("dash_str_test", &[I64, I64, I64, I64, I64], &[I64]),
            ("dash_str_concat", &[I64, I64, I64, I64, I64, I64], &[I64]),
            ("dash_row_value", &[I64, I64], &[I64]),
            ("dash_in_field", &[I64, I64, I64], &[I64]),
            ("dash_out_str", &[I64, I64, I64, I64, I64], &[]),
            ("dash_out_field", &[I64, I64, I64, I64], &[]),
            ("dash_out_value", &[I64, I64, I64], &[]),
            ("dash_row_failed", &[I64, I64], &[]),
            ("dash_row_end", &[I64], &[]),
        ];
        let mut ids = Vec::new();
        for (name, params, returns) in table {
            let s = sig(module, params, returns);
            let id = module
                .declare_function(name, cranelift_module::Linkage::Import, &s)
                .map_err(|e| e.to_string())?;
            ids.push((*name, id));
        }
        Ok(Imports { ids })
    }
}

/// The signature of every compiled function: `(ctx, args, out) -> status`.
pub fn function_signature(module: &dyn Module) -> Signature {
    sig(module, &[I64, I64, I64], &[I64])
}

/// The signature of batch functions: `(ctx, input, output, rows, status) -> 0`.
pub fn batch_signature(module: &dyn Module) -> Signature {
    sig(module, &[I64, I64, I64, I64, I64], &[I64])
}
