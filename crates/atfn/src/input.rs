//! The `--input` argument shared by `run` and `invoke`: inline JSON,
//! `@path` for a file, or `-` for stdin.

use anyhow::Context;
use serde_json::Value;

/// Parses an `--input` value: `-` reads stdin, `@path` reads a file, anything
/// else is JSON text. Errors name the source and serde_json's position.
pub fn parse(arg: &str) -> anyhow::Result<Value> {
    let (text, source) = if arg == "-" {
        (
            std::io::read_to_string(std::io::stdin()).context("reading --input from stdin")?,
            "stdin",
        )
    } else if let Some(path) = arg.strip_prefix('@') {
        (
            std::fs::read_to_string(path)
                .with_context(|| format!("reading --input file {path}"))?,
            path,
        )
    } else {
        (arg.to_owned(), "--input")
    };
    serde_json::from_str(&text).with_context(|| format!("{source} is not valid JSON"))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn inline_json_ok() {
        assert_eq!(parse(r#"{"a":1}"#).unwrap(), serde_json::json!({"a": 1}));
    }

    #[test]
    fn invalid_json_err() {
        let error = format!("{:#}", parse("{oops").unwrap_err());
        assert!(
            error.starts_with("--input is not valid JSON: key must be a string"),
            "{error}"
        );
    }

    #[test]
    fn missing_file_err() {
        let error = format!("{:#}", parse("@/nonexistent/input.json").unwrap_err());
        assert!(
            error.starts_with("reading --input file /nonexistent/input.json"),
            "{error}"
        );
    }
}
