//! The Cognito user-pool service model: every operation, and the input shapes that requests are validated against.
//!
//! `generated.rs` is written by `tools/gen_model.py` from botocore's model; the types it fills
//! in are defined here, once.

pub mod generated;
pub mod validate;

pub use generated::Operation;
pub use validate::{InputError, validate_input};

/// Index of a shape in [`generated::SHAPES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShapeId(pub u16);

impl ShapeId {
    /// The shape this id names. Ids only come from the generated table, so they are in range.
    pub fn shape(self) -> &'static Shape {
        &generated::SHAPES[usize::from(self.0)]
    }
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
