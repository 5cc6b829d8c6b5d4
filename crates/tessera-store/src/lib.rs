//! Storage engines behind `tessera_core::store::Store`.
//!
//! - [`sqlite`]: the embedded default — WAL, `synchronous=FULL`, one writer,
//!   uniqueness held by the database, migrations embedded.

pub mod sqlite;

pub use sqlite::SqliteStore;
