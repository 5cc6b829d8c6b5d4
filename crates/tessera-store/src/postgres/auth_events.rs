//! Users' auth events and the admin audit log.

use deadpool_postgres::GenericClient;
use tessera_core::clock::Timestamp;
use tessera_core::domain::auth_event::{AuditEntry, AuthEvent, EventFeedback};
use tessera_core::ids::UserPoolId;
use tessera_core::store::{Listing, PageRequest};
use tokio_postgres::Row;

use super::codec::{PgResult, execute, execute_some, from_json, query, to_json, user_row_id};
use crate::paging::{limit_plus_one, split_page};

const COLUMNS: &str = "p.id, u.sub, e.event_id, e.created, e.record, e.feedback_value, \
                       e.feedback_provider, e.feedback_date, e.seq";
const JOINS: &str = "auth_events e JOIN users u ON u.id = e.user_id JOIN pools p ON p.seq = u.pool";

fn event_from_row(row: &Row) -> PgResult<(AuthEvent, i64)> {
    let feedback = match (
        row.try_get::<_, Option<String>>(5)?,
        row.try_get::<_, Option<String>>(6)?,
        row.try_get::<_, Option<i64>>(7)?,
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
            pool_id: UserPoolId::new(row.try_get::<_, String>(0)?),
            sub: row.try_get(1)?,
            event_id: row.try_get(2)?,
            created: Timestamp(row.try_get(3)?),
            record: from_json(row.try_get::<_, &str>(4)?)?,
            feedback,
        },
        row.try_get(8)?,
    ))
}

pub async fn record(c: &impl GenericClient, e: &AuthEvent) -> PgResult<()> {
    let user = user_row_id(c, e.pool_id.as_str(), &e.sub).await?;
    execute(
        c,
        "INSERT INTO auth_events (event_id, user_id, created, record, feedback_value,
                                  feedback_provider, feedback_date)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &e.event_id,
            &user,
            &e.created.millis(),
            &to_json(&e.record)?,
            &e.feedback.as_ref().map(|f| f.value.as_str()),
            &e.feedback.as_ref().map(|f| f.provider.as_str()),
            &e.feedback.as_ref().map(|f| f.date.millis()),
        ],
    )
    .await?;
    Ok(())
}

pub async fn list(
    c: &impl GenericClient,
    pool: &UserPoolId,
    sub: &str,
    page: &PageRequest,
) -> PgResult<Listing<AuthEvent>> {
    let user = user_row_id(c, pool.as_str(), sub).await?;
    let before: i64 = page
        .after
        .as_deref()
        .and_then(|a| a.parse().ok())
        .unwrap_or(i64::MAX);
    let rows = query(
        c,
        &format!(
            "SELECT {COLUMNS} FROM {JOINS} WHERE e.user_id = $1 AND e.seq < $2
             ORDER BY e.seq DESC LIMIT $3"
        ),
        &[&user, &before, &limit_plus_one(page.limit)],
    )
    .await?;
    let rows = rows
        .iter()
        .map(event_from_row)
        .collect::<PgResult<Vec<_>>>()?;
    let (rows, next) = split_page(rows, page.limit, |(_, seq)| seq.to_string());
    Ok(Listing {
        items: rows.into_iter().map(|(e, _)| e).collect(),
        next,
    })
}

pub async fn set_feedback(
    c: &impl GenericClient,
    pool: &UserPoolId,
    sub: &str,
    event_id: &str,
    feedback: &EventFeedback,
) -> PgResult<()> {
    let user = user_row_id(c, pool.as_str(), sub).await?;
    execute_some(
        c,
        "UPDATE auth_events SET feedback_value = $3, feedback_provider = $4, feedback_date = $5
         WHERE user_id = $1 AND event_id = $2",
        &[
            &user,
            &event_id,
            &feedback.value,
            &feedback.provider,
            &feedback.date.millis(),
        ],
    )
    .await
}

pub async fn append_audit(c: &impl GenericClient, a: &AuditEntry) -> PgResult<()> {
    execute(
        c,
        "INSERT INTO admin_audit_log (at, access_key_id, operation, pool_id, resource_type,
                                      resource_id)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &a.at.millis(),
            &a.access_key_id,
            &a.operation,
            &a.pool_id,
            &a.resource_type,
            &a.resource_id,
        ],
    )
    .await?;
    Ok(())
}

pub async fn list_audit(
    c: &impl GenericClient,
    pool: Option<&str>,
    page: &PageRequest,
) -> PgResult<Listing<AuditEntry>> {
    let after: i64 = page
        .after
        .as_deref()
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let rows = query(
        c,
        "SELECT at, access_key_id, operation, pool_id, resource_type, resource_id, seq
         FROM admin_audit_log WHERE seq > $1 AND ($2::TEXT IS NULL OR pool_id = $2)
         ORDER BY seq LIMIT $3",
        &[&after, &pool, &limit_plus_one(page.limit)],
    )
    .await?;
    let rows = rows
        .iter()
        .map(|row| {
            Ok((
                AuditEntry {
                    at: Timestamp(row.try_get(0)?),
                    access_key_id: row.try_get(1)?,
                    operation: row.try_get(2)?,
                    pool_id: row.try_get(3)?,
                    resource_type: row.try_get(4)?,
                    resource_id: row.try_get(5)?,
                },
                row.try_get::<_, i64>(6)?,
            ))
        })
        .collect::<PgResult<Vec<_>>>()?;
    let (rows, next) = split_page(rows, page.limit, |(_, seq)| seq.to_string());
    Ok(Listing {
        items: rows.into_iter().map(|(a, _)| a).collect(),
        next,
    })
}
