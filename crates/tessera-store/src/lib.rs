//! Storage engines behind `tessera_core::store::Store`.
//!
//! - [`sqlite`]: the embedded default — WAL, `synchronous=FULL`, one writer,
//!   uniqueness held by the database, migrations embedded.
//! - [`postgres`]: PostgreSQL (and Postgres-compatible engines), for several
//!   nodes over one database — a connection pool, transactions retried on
//!   serialization failures, migrations under an advisory lock.
//!
//! Shared by both: `list_plan` (the ListUsers scan and its cursor), `paging`,
//! `decoded` (memoized decoding of JSON columns), `telemetry` (the latency
//! metric every engine call records).

mod decoded;
mod list_plan;
mod paging;
pub mod postgres;
pub mod sqlite;
pub mod telemetry;

pub use postgres::{PostgresOptions, PostgresStore};
pub use sqlite::SqliteStore;
