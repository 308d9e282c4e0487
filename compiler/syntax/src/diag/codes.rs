//! The stable codes of every diagnostic Dash reports. A code never changes
//! meaning once released; each has a page in `docs/errors/<CODE>.md` that
//! `dashc explain <CODE>` prints.

macro_rules! codes {
    ($($variant:ident = $code:literal, $title:literal;)*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as users see it, e.g. `E0005`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            /// A one-line summary of what the code means.
            pub fn title(self) -> &'static str {
                match self {
                    $(Code::$variant => $title,)*
                }
            }

            /// The explanation page (`docs/errors/<CODE>.md`).
            pub fn explanation(self) -> &'static str {
                match self {
                    $(Code::$variant => include_str!(concat!("../../../../docs/errors/", $code, ".md")),)*
                }
            }
        }
    };
}

codes! {
    Syntax = "E0001", "syntax error";
    InvalidFile = "E0002", "the file cannot be read as Dash source";
    DuplicateName = "E0003", "a name is declared twice";
    UnknownType = "E0004", "unknown type";
    UnknownField = "E0005", "unknown field";
    UnknownName = "E0006", "unknown name";
    UnknownFunction = "E0007", "unknown function";
    ArgumentCount = "E0008", "wrong number of arguments";
    TypeMismatch = "E0009", "mismatched types";
    NullableValue = "E0010", "a nullable value is used where a value is required";
    ConditionNotBool = "E0011", "a condition is not a `bool`";
    MissingRecordField = "E0012", "a record construction misses a field";
    UnknownRecordField = "E0013", "a record construction gives a field the type does not have";
    DuplicateField = "E0014", "a field or option is given twice";
    UnknownSourceKind = "E0015", "unknown source kind";
    UnknownSinkKind = "E0016", "unknown sink kind";
    UnknownOption = "E0017", "unknown option";
    MissingOption = "E0018", "a required option is missing";
    OptionType = "E0019", "an option has a value of the wrong kind";
    UnknownColumn = "E0020", "an option names a field the record does not have";
    UnknownStage = "E0021", "a pipeline names an unknown stage";
    StageTypeMismatch = "E0022", "pipeline stages do not fit together";
    StepCycle = "E0023", "reactor steps depend on each other in a cycle";
    DuplicateBinding = "E0024", "a parameter or step is named twice";
    InvalidOperands = "E0025", "an operator is applied to values it does not accept";
    ResultType = "E0026", "a transform or reactor returns the wrong type";
    BranchMismatch = "E0027", "the branches of an `if` or `match` have different types";
    NonExhaustiveMatch = "E0028", "a `match` does not cover every value";
    InvalidLiteral = "E0029", "invalid literal";
    PipelineStart = "E0030", "a pipeline does not start with a source";
    PipelineEnd = "E0031", "a pipeline does not end with a sink";
    TestMismatch = "E0032", "a test compares values of different types";
    NotAValue = "E0033", "a declaration is used as a value";
    NotIndexable = "E0034", "indexing a value that is not a list";
    NoFields = "E0035", "field access on a value that is not a record";
    MissingResult = "E0036", "a transform or reactor has no result";
    RecursiveCall = "E0037", "transforms or reactors call each other in a cycle";
    RecursiveType = "E0038", "a record type contains itself";
    NotCallable = "E0039", "this cannot be called here";
    StagePosition = "E0040", "a stage is in the wrong place in a pipeline";
    TooDeep = "E0041", "nesting is too deep";
    MissingElse = "E0042", "an `if` expression has no `else`";
    InvalidPattern = "E0043", "a `match` pattern does not fit the matched value";
    InvalidInterpolation = "E0044", "a value that cannot be interpolated into a string";
    StageArity = "E0045", "a pipeline stage must take exactly one record";
    OptionNotApplicable = "E0046", "an option does not apply here";
    DuplicateJsonName = "E0047", "two fields read the same JSON key";
    ListElementMismatch = "E0048", "list elements have different types";
    NotSupportedYet = "E0049", "a kind or option of the language that does not run yet";
    OptionInterpolation = "E0050", "`${…}` in an option where it is not allowed";
    SharedFileSink = "E0051", "a `file` sink is written by several pipelines";
    UnusedStep = "W0001", "a reactor step is never used";
    UnusedVariable = "W0002", "a variable is never used";
}

impl Code {
    /// Look a code up by its text, case-insensitively (`e0005` works too).
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
    }

    pub fn is_warning(self) -> bool {
        self.as_str().starts_with('W')
    }
}
