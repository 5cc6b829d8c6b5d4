//! Page splitting shared by the engines: each fetches `limit + 1` rows, and
//! the extra row tells whether another page follows.

pub fn limit_plus_one(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX - 1) + 1
}

/// Splits off the extra row; the position of the last item kept continues.
pub fn split_page<T>(
    mut items: Vec<T>,
    limit: usize,
    key: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    if items.len() > limit {
        items.truncate(limit);
        let next = items.last().map(key);
        (items, next)
    } else {
        (items, None)
    }
}
