//! ListUsers, engine-neutral: which index scan a filter means, and how the
//! position after a page is written into the opaque token. Each engine runs
//! the plan in its own SQL; the index is `user_index (pool, attr, value,
//! user_id)`, with values compared byte-wise in both engines.

use serde_json::json;
use tessera_core::domain::filter::{Match, UserFilter};

/// The scan a listing runs, continuing after its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserScan<'a> {
    /// Every user of the pool, in row order.
    All { after_row: i64 },
    /// Users whose indexed `attribute` is `value`, in row order.
    Exact {
        attribute: &'a str,
        value: &'a str,
        after_row: i64,
    },
    /// Users whose indexed `attribute` starts with `prefix`, in (value, row)
    /// order — the index's own order, so no sort.
    Prefix {
        attribute: &'a str,
        prefix: &'a str,
        /// An exclusive upper bound for values starting with `prefix`.
        end: Vec<u8>,
        after_value: String,
        after_row: i64,
    },
}

/// The scan for `filter`, continuing after `after` (a position this module wrote).
pub fn plan<'a>(filter: Option<&'a UserFilter>, after: Option<&str>) -> UserScan<'a> {
    let after_row = || after.and_then(|a| a.parse().ok()).unwrap_or(0);
    match filter {
        None => UserScan::All {
            after_row: after_row(),
        },
        Some(f) if f.matching == Match::Exact => UserScan::Exact {
            attribute: f.attribute,
            value: &f.value,
            after_row: after_row(),
        },
        Some(f) => {
            let (after_value, after_row) = after
                .and_then(|a| serde_json::from_str(a).ok())
                .unwrap_or_else(|| (f.value.clone(), 0));
            UserScan::Prefix {
                attribute: f.attribute,
                prefix: &f.value,
                end: prefix_end(&f.value),
                after_value,
                after_row,
            }
        }
    }
}

/// The position after an item: its row, and for prefix scans its indexed value.
pub fn position(row: i64, value: Option<&str>) -> String {
    match value {
        Some(value) => json!([value, row]).to_string(),
        None => row.to_string(),
    }
}

/// The prefix's bytes then 0xFF, a byte no UTF-8 text contains, so every
/// continuation of the prefix sorts below it byte-wise.
fn prefix_end(prefix: &str) -> Vec<u8> {
    let mut end = prefix.as_bytes().to_vec();
    end.push(0xFF);
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(matching: Match, value: &str) -> UserFilter {
        UserFilter {
            attribute: "email",
            matching,
            value: value.into(),
        }
    }

    #[test]
    fn positions_read_back_as_the_scan_they_continue() {
        assert_eq!(plan(None, None), UserScan::All { after_row: 0 });
        assert_eq!(
            plan(None, Some(&position(42, None))),
            UserScan::All { after_row: 42 }
        );
        let exact = filter(Match::Exact, "a@b.c");
        assert_eq!(
            plan(Some(&exact), Some(&position(7, None))),
            UserScan::Exact {
                attribute: "email",
                value: "a@b.c",
                after_row: 7
            }
        );
        let prefix = filter(Match::Prefix, "al");
        assert_eq!(
            plan(Some(&prefix), Some(&position(9, Some("alice@x")))),
            UserScan::Prefix {
                attribute: "email",
                prefix: "al",
                end: b"al\xff".to_vec(),
                after_value: "alice@x".into(),
                after_row: 9
            }
        );
    }

    #[test]
    fn a_prefix_scan_starts_at_its_prefix_and_bad_positions_restart() {
        let prefix = filter(Match::Prefix, "bo");
        for after in [None, Some("not json"), Some("[1]")] {
            let UserScan::Prefix {
                after_value,
                after_row,
                ..
            } = plan(Some(&prefix), after)
            else {
                panic!("a prefix filter plans a prefix scan");
            };
            assert_eq!((after_value.as_str(), after_row), ("bo", 0));
        }
    }
}
