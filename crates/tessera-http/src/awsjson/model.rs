//! A service model's input shapes, as `tools/gen_model.py` writes them from
//! botocore's model (one generated table per service), and the [`Model`] that
//! holds one table with its compiled patterns.

use std::sync::OnceLock;

use regex::Regex;

/// Index of a shape in its model's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShapeId(pub u16);

/// One service's shapes, and each pattern shape's regex, compiled on first use.
pub struct Model {
    shapes: &'static [Shape],
    patterns: OnceLock<Vec<OnceLock<Option<Regex>>>>,
}

impl Model {
    pub const fn new(shapes: &'static [Shape]) -> Model {
        Model {
            shapes,
            patterns: OnceLock::new(),
        }
    }

    pub fn shapes(&self) -> &'static [Shape] {
        self.shapes
    }

    /// The shape `id` names. Ids only come from the generated table, so they are in range.
    pub fn shape(&self, id: ShapeId) -> &'static Shape {
        &self.shapes[usize::from(id.0)]
    }

    /// The whole-value regex of a pattern shape. `None` if it does not compile, which each
    /// model's `every_model_pattern_compiles` test rules out; the check is then skipped.
    pub(crate) fn compiled(&self, id: ShapeId, pattern: &Pattern) -> Option<&Regex> {
        let cache = self
            .patterns
            .get_or_init(|| self.shapes.iter().map(|_| OnceLock::new()).collect());
        cache
            .get(usize::from(id.0))?
            .get_or_init(|| match anchored(pattern) {
                Ok(regex) => Some(regex),
                Err(error) => {
                    tracing::error!(pattern = pattern.model, %error, "model pattern does not compile; constraint skipped");
                    None
                }
            })
            .as_ref()
    }
}

/// Java's `matches()` semantics: the pattern must match the whole value.
pub(crate) fn anchored(pattern: &Pattern) -> Result<Regex, regex::Error> {
    Regex::new(&format!("^(?:{})$", pattern.regex))
}

/// One named shape of the model.
#[derive(Debug)]
pub struct Shape {
    pub name: &'static str,
    /// The model marks the shape itself sensitive (passwords, tokens, codes…).
    pub sensitive: bool,
    /// The shape or anything nested in it is sensitive, so error messages never print its value.
    pub holds_sensitive: bool,
    pub kind: ShapeKind,
}

/// What a shape is, with the constraints the model puts on it.
#[derive(Debug)]
pub enum ShapeKind {
    /// Members in name order (see the generator for why).
    Structure {
        members: &'static [Member],
    },
    /// Free-form JSON (smithy `document`): anything goes.
    Document,
    List {
        member: ShapeId,
        length: Bounds,
    },
    Map {
        key: ShapeId,
        value: ShapeId,
        length: Bounds,
    },
    String {
        /// In characters (Unicode scalar values).
        length: Bounds,
        pattern: Option<Pattern>,
        /// Empty when the string is not an enum.
        enum_values: &'static [&'static str],
    },
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    Long {
        min: Option<i64>,
        max: Option<i64>,
    },
    Double {
        min: Option<f64>,
        max: Option<f64>,
    },
    Boolean,
    /// Epoch seconds on the wire (awsJson).
    Timestamp,
    /// Base64 on the wire; the length bounds count decoded bytes.
    Blob {
        length: Bounds,
    },
}

/// A member of a structure.
#[derive(Debug)]
pub struct Member {
    /// The wire name (PascalCase, as in the model).
    pub name: &'static str,
    pub target: ShapeId,
    pub required: bool,
}

/// Inclusive length bounds.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub min: Option<u64>,
    pub max: Option<u64>,
}

/// A pattern constraint.
#[derive(Debug)]
pub struct Pattern {
    /// The model's (Java) pattern, quoted verbatim in error messages.
    pub model: &'static str,
    /// The same language in Rust `regex` syntax, unanchored.
    pub regex: &'static str,
}
