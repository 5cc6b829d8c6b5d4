//! Memoized decoding of the JSON columns nearly every request reads: a pool's
//! settings and schema, a client's settings. Decoding them cost more than the
//! rest of the read (in a profile of AdminGetUser, 14% of the server's CPU),
//! and they change rarely. Each memo is keyed by the record's id and keeps the
//! text it decoded: a read whose text differs decodes afresh, so a value is
//! never stale, whichever node or store wrote it. Both engines share them.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use tessera_core::domain::schema::SchemaAttribute;

/// Past this many records the memo starts over, bounding its memory.
const MAX_ENTRIES: usize = 4096;

pub struct Memo<T> {
    entries: Mutex<HashMap<String, Arc<(String, T)>>>,
}

impl<T: DeserializeOwned + Clone> Memo<T> {
    fn new() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The value `text` decodes to, reusing the last decoding for `id` when it
    /// was of the same text.
    pub fn decode(&self, id: &str, text: &str) -> serde_json::Result<T> {
        let last = self
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned();
        if let Some(entry) = last.filter(|e| e.0 == text) {
            return Ok(entry.1.clone());
        }
        let value: T = serde_json::from_str(text)?;
        let entry = Arc::new((text.to_owned(), value.clone()));
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(id.to_owned(), entry);
        Ok(value)
    }
}

pub static POOL_SETTINGS: LazyLock<Memo<Map<String, Value>>> = LazyLock::new(Memo::new);
pub static POOL_SCHEMA: LazyLock<Memo<Vec<SchemaAttribute>>> = LazyLock::new(Memo::new);
pub static CLIENT_SETTINGS: LazyLock<Memo<Map<String, Value>>> = LazyLock::new(Memo::new);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_text_is_decoded_afresh() {
        let memo: Memo<Map<String, Value>> = Memo::new();
        let first = memo.decode("p", r#"{"a":1}"#).expect("decodes");
        assert_eq!(first.get("a"), Some(&Value::from(1)));
        assert_eq!(memo.decode("p", r#"{"a":1}"#).expect("memo"), first);
        let changed = memo.decode("p", r#"{"a":2}"#).expect("decodes");
        assert_eq!(changed.get("a"), Some(&Value::from(2)));
        assert!(memo.decode("p", "not json").is_err());
    }
}
