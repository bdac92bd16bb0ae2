//! A data file's examples as its loader read them, before tokenising and label mapping: the
//! types every loader (`.tsv`/`.csv`, the tutorial's `.py` module) produces.

/// One example as the file states it, before tokenising and label mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawExample {
    pub text: String,
    /// The label exactly as written (trimmed); `True`/`False` of a `.py` file become
    /// `true`/`false`.
    pub label: String,
    /// 1-based line of the example in its file, for messages.
    pub line: usize,
}

/// A data file's examples, and what its loader noticed that does not stop a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub examples: Vec<RawExample>,
    /// Complete messages, each naming the file.
    pub warnings: Vec<String>,
}

/// Which half of the data a file provides; a `.py` module holds both and this picks the dict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Train,
    Test,
}

impl Role {
    /// The variable a tutorial-style `.py` data module binds for this role.
    pub fn py_variable(self) -> &'static str {
        match self {
            Role::Train => "train_data",
            Role::Test => "test_data",
        }
    }
}

impl Loaded {
    /// Examples with nothing to warn about.
    pub(super) fn quiet(examples: Vec<RawExample>) -> Loaded {
        Loaded {
            examples,
            warnings: Vec::new(),
        }
    }
}
