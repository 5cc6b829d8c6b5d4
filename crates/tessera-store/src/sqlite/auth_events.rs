//! Users' auth events and the admin audit log.

use rusqlite::{Connection, Row, params};
use tessera_core::clock::Timestamp;
use tessera_core::domain::auth_event::{AuditEntry, AuthEvent, EventFeedback};
use tessera_core::ids::UserPoolId;
use tessera_core::store::{Listing, PageRequest, StoreError, StoreResult};

use super::codec::{CachedStatements, backend, from_json, to_json, user_row};
use crate::paging::{limit_plus_one, split_page};

const COLUMNS: &str = "p.id, u.sub, e.event_id, e.created, e.record, e.feedback_value, \
                       e.feedback_provider, e.feedback_date, e.seq";
const JOINS: &str = "auth_events e JOIN users u ON u.id = e.user_id JOIN pools p ON p.seq = u.pool";

fn event_from_row(row: &Row<'_>) -> rusqlite::Result<(AuthEvent, i64)> {
    let feedback = match (
        row.get::<_, Option<String>>(5)?,
        row.get::<_, Option<String>>(6)?,
        row.get::<_, Option<i64>>(7)?,
    ) {
        (Some(value), Some(provider), Some(date)) => Some(EventFeedback {
            value,
            provider,
            date: Timestamp(date),
        }),
        _ => None,
    };
    Ok((
        AuthEvent {
            pool_id: UserPoolId::new(row.get::<_, String>(0)?),
            sub: row.get(1)?,
            event_id: row.get(2)?,
            created: Timestamp(row.get(3)?),
            record: from_json(&row.get::<_, String>(4)?)?,
            feedback,
        },
        row.get(8)?,
    ))
}

pub fn record(conn: &Connection, e: &AuthEvent) -> StoreResult<()> {
    let user = user_row(conn, e.pool_id.as_str(), &e.sub)?;
    conn.execute_cached(
        "INSERT INTO auth_events (event_id, user_id, created, record, feedback_value,
                                  feedback_provider, feedback_date)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            e.event_id,
            user,
            e.created.millis(),
            to_json(&e.record)?,
            e.feedback.as_ref().map(|f| &f.value),
            e.feedback.as_ref().map(|f| &f.provider),
            e.feedback.as_ref().map(|f| f.date.millis()),
        ],
    )
    .map_err(backend)?;
    Ok(())
}

pub fn list(
    conn: &Connection,
    pool: &UserPoolId,
    sub: &str,
    page: &PageRequest,
) -> StoreResult<Listing<AuthEvent>> {
    let user = user_row(conn, pool.as_str(), sub)?;
    let before: i64 = page
        .after
        .as_deref()
        .and_then(|a| a.parse().ok())
        .unwrap_or(i64::MAX);
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM {JOINS} WHERE e.user_id = ?1 AND e.seq < ?2
             ORDER BY e.seq DESC LIMIT ?3"
        ))
        .map_err(backend)?;
    let rows = stmt
        .query_map(
            params![user, before, limit_plus_one(page.limit)],
            event_from_row,
        )
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    let (rows, next) = split_page(rows, page.limit, |(_, seq)| seq.to_string());
    Ok(Listing {
        items: rows.into_iter().map(|(e, _)| e).collect(),
        next,
    })
}

pub fn set_feedback(
    conn: &Connection,
    pool: &UserPoolId,
    sub: &str,
    event_id: &str,
    feedback: &EventFeedback,
) -> StoreResult<()> {
    let user = user_row(conn, pool.as_str(), sub)?;
    let changed = conn
        .execute_cached(
            "UPDATE auth_events SET feedback_value = ?3, feedback_provider = ?4, feedback_date = ?5
             WHERE user_id = ?1 AND event_id = ?2",
            params![
                user,
                event_id,
                feedback.value,
                feedback.provider,
                feedback.date.millis()
            ],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub fn append_audit(conn: &Connection, a: &AuditEntry) -> StoreResult<()> {
    conn.execute_cached(
        "INSERT INTO admin_audit_log (at, access_key_id, operation, pool_id, resource_type,
                                      resource_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            a.at.millis(),
            a.access_key_id,
            a.operation,
            a.pool_id,
            a.resource_type,
            a.resource_id
        ],
    )
    .map_err(backend)?;
    Ok(())
}

fn audit_from_row(row: &Row<'_>) -> rusqlite::Result<(AuditEntry, i64)> {
    Ok((
        AuditEntry {
            at: Timestamp(row.get(0)?),
            access_key_id: row.get(1)?,
            operation: row.get(2)?,
            pool_id: row.get(3)?,
            resource_type: row.get(4)?,
            resource_id: row.get(5)?,
        },
        row.get(6)?,
    ))
}

pub fn list_audit(
    conn: &Connection,
    pool: Option<&str>,
    page: &PageRequest,
) -> StoreResult<Listing<AuditEntry>> {
    let after: i64 = page
        .after
        .as_deref()
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let mut stmt = conn
        .prepare_cached(
            "SELECT at, access_key_id, operation, pool_id, resource_type, resource_id, seq
             FROM admin_audit_log WHERE seq > ?1 AND (?2 IS NULL OR pool_id = ?2)
             ORDER BY seq LIMIT ?3",
        )
        .map_err(backend)?;
    let rows = stmt
        .query_map(
            params![after, pool, limit_plus_one(page.limit)],
            audit_from_row,
        )
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    let (rows, next) = split_page(rows, page.limit, |(_, seq)| seq.to_string());
    Ok(Listing {
        items: rows.into_iter().map(|(a, _)| a).collect(),
        next,
    })
}
