//! `log_format`: how log lines are written to stderr.
//!
//! ```toml
//! log_format = "json"   # or "text", the default; TESSERA_LOG_FORMAT overrides
//! ```

use anyhow::bail;
use schemars::JsonSchema;
use serde::Deserialize;

/// The shape of each log line. Which lines are written is `TESSERA_LOG`'s
/// choice (an `EnvFilter`, `info` by default), whatever the format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Readable lines, coloured only at a terminal.
    #[default]
    Text,
    /// One JSON object per line, for log shippers: `timestamp`, `level`,
    /// `target`, `message`, the event's fields beside them, and the spans it
    /// happened in (`span`, `spans`).
    Json,
}

impl LogFormat {
    /// Reads `TESSERA_LOG_FORMAT`.
    pub fn parse(value: &str) -> anyhow::Result<Self> {
        match value {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => bail!("the log format must be `text` or `json`, not {other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_or_json_from_the_file_and_the_environment() {
        #[derive(Deserialize)]
        struct File {
            log_format: LogFormat,
        }
        let read = |text: &str| toml::from_str::<File>(text).map(|f| f.log_format);
        assert_eq!(read("log_format = \"json\"").ok(), Some(LogFormat::Json));
        assert_eq!(read("log_format = \"text\"").ok(), Some(LogFormat::Text));
        assert!(read("log_format = \"xml\"").is_err());
        assert_eq!(LogFormat::parse("json").ok(), Some(LogFormat::Json));
        let err = LogFormat::parse("JSON ").expect_err("refused");
        assert!(err.to_string().contains("`text` or `json`"), "{err}");
        assert_eq!(LogFormat::default(), LogFormat::Text);
    }
}
