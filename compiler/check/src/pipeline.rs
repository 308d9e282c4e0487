//! Pipelines: a source, then transforms/reactors, then one or more sinks,
//! each stage taking the record type the one before produces.

use std::collections::HashMap;

use super::options::PIPELINE_OPTIONS;
use super::plan::PipelineSpec;
use super::ty::Ty;
use super::{Checker, GlobalKind};
use dash_syntax::ast::{Expr, ExprKind, Hop, Ident, OptionValue, Options, PipelineDecl, StrPart};
use dash_syntax::diag::{Code, Diagnostic, suggest};

impl Checker<'_> {
    pub(super) fn pipeline(&mut self, p: &PipelineDecl) {
        let options = Options {
            items: p.options.clone(),
            span: None,
        };
        let errors = self.error_count();
        let given = self.options(&options, PIPELINE_OPTIONS, None, "a pipeline", p.name.span);

        let last = p.hops.len().saturating_sub(1);
        // The record type flowing out of the previous stage, once known.
        let mut flowing: Option<(Ty, &Ident)> = None;
        for (h, hop) in p.hops.iter().enumerate() {
            if hop.fanout && h != last {
                let d = self
                    .diag(
                        Code::StagePosition,
                        hop.span,
                        "a fan-out `[…]` must be the last hop of a pipeline",
                        "fan-out before the end",
                    )
                    .with_help("fan out to sinks only: `source -> transform -> [sink_a, sink_b]`");
                self.report(d);
                flowing = None;
                continue;
            }
            // Every stage of a fan-out receives the same records.
            let incoming = flowing.take();
            for (k, stage) in hop.stages.iter().enumerate() {
                if hop.stages[..k].iter().any(|s| s.name == stage.name) {
                    let d = self.diag(
                        Code::StagePosition,
                        stage.span,
                        format!("`{}` appears twice in this fan-out", stage.name),
                        "again here",
                    );
                    self.report(d);
                    continue;
                }
                let Some(kind) = self.stage_kind(stage) else {
                    continue;
                };
                flowing = self.stage(stage, kind, h, last, incoming.clone());
            }
        }
        if self.error_count() > errors || p.hops.len() < 2 {
            return;
        }
        let names = |hop: &Hop| {
            hop.stages
                .iter()
                .map(|s| s.name.clone())
                .collect::<Vec<_>>()
        };
        let dlq = given.get("dlq").and_then(|item| match &item.value {
            OptionValue::Expr(Expr {
                kind: ExprKind::Str(parts),
                ..
            }) => parts
                .iter()
                .map(|part| match part {
                    StrPart::Text(t) => Some(t.as_str()),
                    StrPart::Interp(_) => None,
                })
                .collect::<Option<String>>(),
            _ => None,
        });
        let spec = PipelineSpec {
            name: p.name.name.clone(),
            source: p.hops[0].stages[0].name.clone(),
            stages: p.hops[1..last].iter().flat_map(names).collect(),
            sinks: names(&p.hops[last]),
            dlq,
            max_error_rate: given
                .get("max_error_rate")
                .and_then(|item| match &item.value {
                    OptionValue::Expr(Expr {
                        kind: ExprKind::Float(x),
                        ..
                    }) => Some(*x),
                    OptionValue::Expr(Expr {
                        kind: ExprKind::Int(n),
                        ..
                    }) => Some(*n as f64),
                    _ => None,
                }),
            workers: given
                .get("workers")
                .and_then(|i| super::endpoints::int(i))
                .and_then(|n| usize::try_from(n).ok()),
            origin: self.origin(&p.name),
        };
        self.program.plan.pipelines.push(spec);
    }

    fn stage_kind(&mut self, stage: &Ident) -> Option<GlobalKind> {
        match self.program.globals.get(&stage.name) {
            Some(g) => {
                let kind = g.kind;
                self.refer(stage.span, super::Symbol::Global(stage.name.clone()));
                Some(kind)
            }
            None if self.broken.contains(&stage.name) => None,
            None => {
                let candidates: Vec<&str> = self
                    .program
                    .globals
                    .iter()
                    .filter(|(_, g)| {
                        matches!(
                            g.kind,
                            GlobalKind::Source
                                | GlobalKind::Sink
                                | GlobalKind::Transform
                                | GlobalKind::Reactor
                        )
                    })
                    .map(|(n, _)| n.as_str())
                    .collect();
                let help = suggest::did_you_mean(&stage.name, candidates).unwrap_or_else(|| {
                    "a stage is a source, transform, reactor or sink declared in the project".into()
                });
                let d = self
                    .diag(
                        Code::UnknownStage,
                        stage.span,
                        format!("unknown stage `{}`", stage.name),
                        "not a source, transform, reactor or sink",
                    )
                    .with_help(help);
                self.report(d);
                None
            }
        }
    }

    /// Check one stage at hop `h`; returns what flows out of it.
    fn stage<'i>(
        &mut self,
        stage: &'i Ident,
        kind: GlobalKind,
        h: usize,
        last: usize,
        flowing: Option<(Ty, &'i Ident)>,
    ) -> Option<(Ty, &'i Ident)> {
        let name = &stage.name;
        match (kind, h) {
            (GlobalKind::Source, 0) => {
                let ty = self
                    .program
                    .endpoints
                    .get(name)
                    .cloned()
                    .unwrap_or(Ty::Unknown);
                Some((ty, stage))
            }
            (_, 0) => {
                let d = self
                    .diag(
                        Code::PipelineStart,
                        stage.span,
                        format!(
                            "a pipeline starts with a source, but `{name}` is a {}",
                            kind.word()
                        ),
                        "expected a source",
                    )
                    .with_help("put the source first: `pipeline p { my_source -> … -> my_sink }`");
                self.report(d);
                None
            }
            (GlobalKind::Source, _) => {
                self.misplaced(stage, kind, "a source can only be the first stage");
                None
            }
            (GlobalKind::Sink, _) => {
                if h != last {
                    self.misplaced(stage, kind, "a sink can only be at the end of a pipeline");
                }
                let ty = self
                    .program
                    .endpoints
                    .get(name)
                    .cloned()
                    .unwrap_or(Ty::Unknown);
                self.fit_stage(stage, &ty, flowing);
                None
            }
            (GlobalKind::Transform | GlobalKind::Reactor, _) => {
                if h == last {
                    let d = self
                        .diag(
                            Code::PipelineEnd,
                            stage.span,
                            format!(
                                "a pipeline ends with a sink, but `{name}` is a {}",
                                kind.word()
                            ),
                            "expected a sink",
                        )
                        .with_help(format!(
                            "send its records somewhere: `… -> {name} -> my_sink`"
                        ));
                    self.report(d);
                }
                let callable = self.program.callables.get(name).cloned()?;
                if callable.params.len() != 1 {
                    let d = self.diag(
                        Code::StageArity,
                        stage.span,
                        format!(
                            "`{name}` takes {} parameters, but a pipeline stage takes exactly one record",
                            callable.params.len()
                        ),
                        "not a one-record stage",
                    );
                    self.report(d);
                    return Some((callable.output, stage));
                }
                self.fit_stage(stage, &callable.params[0], flowing);
                Some((callable.output, stage))
            }
            (GlobalKind::Type(_) | GlobalKind::Pipeline, _) => {
                self.misplaced(
                    stage,
                    kind,
                    "stages are sources, transforms, reactors and sinks",
                );
                None
            }
        }
    }

    fn misplaced(&mut self, stage: &Ident, kind: GlobalKind, why: &str) {
        let d = self
            .diag(
                Code::StagePosition,
                stage.span,
                format!("`{}` is a {} and cannot be here", stage.name, kind.word()),
                "misplaced stage",
            )
            .with_help(why.to_string());
        self.report(d);
    }

    /// The records flowing in must be exactly what the stage takes.
    fn fit_stage(&mut self, stage: &Ident, takes: &Ty, flowing: Option<(Ty, &Ident)>) {
        let Some((ty, from)) = flowing else {
            return;
        };
        if ty.is_quiet() || takes.is_quiet() || ty == *takes {
            return;
        }
        let d = self
            .diag(
                Code::StageTypeMismatch,
                stage.span,
                format!(
                    "`{}` takes `{}`, but `{}` produces `{}`",
                    stage.name,
                    self.show(takes),
                    from.name,
                    self.show(&ty)
                ),
                format!("takes `{}`", self.show(takes)),
            )
            .with_label(
                self.file,
                from.span,
                format!("produces `{}`", self.show(&ty)),
            )
            .with_help(format!(
                "insert a transform from `{}` to `{}` between them",
                self.show(&ty),
                self.show(takes)
            ));
        self.report(d);
    }

    /// A `file` sink is exactly once because its pipeline commits the
    /// file's length with each batch and cuts the file back to it at
    /// start; a second pipeline writing the same file would cut the
    /// other's lines away (E0051).
    pub(super) fn shared_file_sinks(&mut self) {
        let mut writers: HashMap<&str, &str> = HashMap::new();
        let mut found = Vec::new();
        for p in &self.program.plan.pipelines {
            for sink in &p.sinks {
                let is_file = self
                    .program
                    .plan
                    .sinks
                    .get(sink)
                    .is_some_and(|s| matches!(s.kind, super::plan::SinkKind::File { .. }));
                if !is_file {
                    continue;
                }
                match writers.get(sink.as_str()) {
                    Some(first) => found.push((sink.clone(), first.to_string(), p.origin)),
                    None => {
                        writers.insert(sink, &p.name);
                    }
                }
            }
        }
        for (sink, first, origin) in found {
            let d = Diagnostic::new(
                Code::SharedFileSink,
                origin.file,
                origin.span,
                format!("pipeline `{first}` already writes the `file` sink `{sink}`"),
                "a second writer",
            )
            .with_help(format!(
                "give this pipeline its own `file` sink (another `path`), or fan out to `{sink}` from one pipeline"
            ));
            self.report(d);
        }
    }
}
