//! The syntax tree of one `.dash` file. Every node carries the byte span it
//! was parsed from; spans are offsets into the file's text.

use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// The declarations of one file that parsed. Declarations that failed to
/// parse are missing here; their errors are in the parse diagnostics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct File {
    pub decls: Vec<Decl>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Decl {
    pub kind: DeclKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DeclKind {
    Type(TypeDecl),
    Source(SourceDecl),
    Sink(SinkDecl),
    Transform(TransformDecl),
    Reactor(ReactorDecl),
    Pipeline(PipelineDecl),
    Test(TestDecl),
}

impl Decl {
    /// The declared name; tests are named by their string.
    pub fn name(&self) -> &Ident {
        match &self.kind {
            DeclKind::Type(d) => &d.name,
            DeclKind::Source(d) => &d.name,
            DeclKind::Sink(d) => &d.name,
            DeclKind::Transform(d) => &d.name,
            DeclKind::Reactor(d) => &d.name,
            DeclKind::Pipeline(d) => &d.name,
            DeclKind::Test(d) => &d.name,
        }
    }

    /// What the declaration is, in the words of the language.
    pub fn kind_word(&self) -> &'static str {
        match &self.kind {
            DeclKind::Type(_) => "type",
            DeclKind::Source(_) => "source",
            DeclKind::Sink(_) => "sink",
            DeclKind::Transform(_) => "transform",
            DeclKind::Reactor(_) => "reactor",
            DeclKind::Pipeline(_) => "pipeline",
            DeclKind::Test(_) => "test",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeDecl {
    pub name: Ident,
    pub fields: Vec<FieldDecl>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    /// `@json("Key")`: the input key this field is read from.
    pub json_name: Option<(String, Span)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeExprKind {
    Named(Ident),
    List(Box<TypeExpr>),
    Nullable(Box<TypeExpr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct SourceDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub kind: Ident,
    pub options: Options,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SinkDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub kind: Ident,
    pub options: Options,
}

/// An option block `{ key: value … }`; `span` is absent when there is none.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options {
    pub items: Vec<OptionItem>,
    pub span: Option<Span>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OptionItem {
    pub key: Ident,
    pub value: OptionValue,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum OptionValue {
    Expr(Expr),
    /// `{ key: value … }`, e.g. HTTP `headers`.
    Object(Vec<ObjectEntry>),
    Effect(Effect),
    Rollup(Rollup),
}

/// `rollup NAME every 1h { col: agg(field) … }` (a continuous aggregate).
#[derive(Clone, Debug, PartialEq)]
pub struct Rollup {
    pub name: Ident,
    pub every: Expr,
    pub columns: Vec<RollupColumn>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RollupColumn {
    pub name: Ident,
    pub agg: Ident,
    pub field: Option<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: TypeExpr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TransformDecl {
    pub name: Ident,
    pub params: Vec<Param>,
    pub output: TypeExpr,
    pub body: Block,
}

/// `{ statements; result }`: the body of a transform or an `if` branch.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub result: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    Let {
        name: Ident,
        ty: Option<TypeExpr>,
        value: Expr,
    },
    Require {
        cond: Expr,
        message: Expr,
    },
    SkipIf(Expr),
    Fail(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ReactorDecl {
    pub name: Ident,
    pub params: Vec<Param>,
    pub output: TypeExpr,
    pub steps: Vec<Step>,
    pub ret: Option<Expr>,
    /// The `{ … }` of the body, for "missing return" reports.
    pub body_span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub name: Ident,
    pub value: StepValue,
    pub options: Options,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StepValue {
    Expr(Expr),
    Effect(Effect),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Effect {
    pub kind: EffectKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EffectKind {
    /// `lookup TABLE { col: expr … } as Type`
    Lookup {
        table: Ident,
        keys: Vec<ObjectEntry>,
        ty: TypeExpr,
    },
    /// `http METHOD "url" [{ body }] [as Type]`
    Http {
        method: Ident,
        url: Expr,
        body: Option<Vec<ObjectEntry>>,
        ty: Option<TypeExpr>,
    },
}

/// `key: expr` inside an object literal (HTTP body, lookup keys).
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectEntry {
    pub key: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PipelineDecl {
    pub name: Ident,
    /// Each hop of `a -> b -> [c, d]`: one stage, or several for a fan-out.
    pub hops: Vec<Hop>,
    pub options: Vec<OptionItem>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Hop {
    pub stages: Vec<Ident>,
    pub fanout: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TestDecl {
    /// The test's string name; the span covers the quotes.
    pub name: Ident,
    pub stmts: Vec<Stmt>,
    pub expr: Expr,
    /// `fails "message"`.
    pub fails: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Coalesce,
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Coalesce => "??",
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
        }
    }

    /// Binding strength; higher binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Coalesce => 1,
            BinOp::Or => 2,
            BinOp::And => 3,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 4,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div | BinOp::Rem => 6,
        }
    }

    /// `??` is right-associative (`a ?? b ?? c` = `a ?? (b ?? c)`); the
    /// rest are left-associative.
    pub fn right_assoc(self) -> bool {
        self == BinOp::Coalesce
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    Text(String),
    Interp(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
    Str(Vec<StrPart>),
    /// In microseconds.
    Duration(i64),
    /// Microseconds since the Unix epoch, UTC.
    Timestamp(i64),
    /// A literal that failed to decode; its error is already reported.
    Invalid,
    Name(Ident),
    Field {
        base: Box<Expr>,
        name: Ident,
        safe: bool,
    },
    Index {
        base: Box<Expr>,
        index: Box<Expr>,
    },
    Call {
        func: Ident,
        args: Vec<Expr>,
    },
    Record {
        ty: Ident,
        fields: Vec<FieldInit>,
    },
    List(Vec<Expr>),
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinOp,
        op_span: Span,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Paren(Box<Expr>),
    If {
        cond: Box<Expr>,
        then: Block,
        otherwise: Option<Box<Else>>,
    },
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Else {
    Block(Block),
    If(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldInit {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatchArm {
    pub patterns: Vec<Pattern>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    Wildcard(Span),
    Literal(Expr),
}

impl Pattern {
    pub fn span(&self) -> Span {
        match self {
            Pattern::Wildcard(span) => *span,
            Pattern::Literal(e) => e.span,
        }
    }
}
