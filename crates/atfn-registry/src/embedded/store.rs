//! SQLite storage of the embedded registry (sqlx, runtime queries): the single account, its
//! session tokens, records (JSON text plus CID) and blobs. The schema lives in
//! `migrations/*.sql`, applied in order at open; applied versions are tracked by sqlx in
//! `_sqlx_migrations`, so reopening an existing file keeps its data.

use std::path::Path;
use std::str::FromStr as _;

use sha2::{Digest, Sha256};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::{Row as _, SqlSafeStr as _};

use crate::error::EmbeddedError;

/// Schema migrations, oldest first.
fn migrator() -> Migrator {
    Migrator::with_migrations(vec![Migration::new(
        1,
        "init".into(),
        MigrationType::Simple,
        include_str!("migrations/0001_init.sql").into_sql_str(),
        false,
    )])
}

/// A stored record row.
pub(crate) struct StoredRecord {
    pub(crate) rkey: String,
    pub(crate) cid: String,
    pub(crate) value: serde_json::Value,
}

/// A stored blob row.
pub(crate) struct StoredBlob {
    pub(crate) mime_type: String,
    pub(crate) bytes: Vec<u8>,
}

/// Session token kind: `accessJwt` authorizes writes; `refreshJwt` is stored for wire
/// compatibility but authorizes nothing here.
#[derive(Clone, Copy)]
pub(crate) enum TokenKind {
    Access,
    Refresh,
}

impl TokenKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Refresh => "refresh",
        }
    }
}

/// The SQLite pool.
#[derive(Clone)]
pub(crate) struct Store {
    pool: SqlitePool,
}

/// sha2-256 of salt ‖ password.
fn password_hash(salt: &[u8], password: &str) -> Vec<u8> {
    Sha256::new()
        .chain_update(salt)
        .chain_update(password.as_bytes())
        .finalize()
        .to_vec()
}

/// `n` random bytes from the OS.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the OS random source is available");
    buf
}

impl Store {
    /// Opens (creating if missing) the database file and applies pending migrations.
    pub(crate) async fn open(path: &Path) -> Result<Self, EmbeddedError> {
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        migrator().run(&pool).await?;
        Ok(Self { pool })
    }

    /// Creates the account or replaces its handle and password.
    pub(crate) async fn upsert_account(
        &self,
        handle: &str,
        password: &str,
    ) -> Result<(), EmbeddedError> {
        let salt = random_bytes::<16>();
        sqlx::query(
            "INSERT INTO account (id, handle, password_salt, password_hash) VALUES (1, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET handle = excluded.handle,
             password_salt = excluded.password_salt, password_hash = excluded.password_hash",
        )
        .bind(handle)
        .bind(&salt[..])
        .bind(password_hash(&salt, password))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The account's handle, if an account exists.
    pub(crate) async fn handle(&self) -> Result<Option<String>, EmbeddedError> {
        let row = sqlx::query("SELECT handle FROM account WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.get("handle")))
    }

    /// True if `password` is the account's password.
    pub(crate) async fn check_password(&self, password: &str) -> Result<bool, EmbeddedError> {
        let row = sqlx::query("SELECT password_salt, password_hash FROM account WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some_and(|r| {
            let salt: Vec<u8> = r.get("password_salt");
            let hash: Vec<u8> = r.get("password_hash");
            password_hash(&salt, password) == hash
        }))
    }

    /// Stores a new session token.
    pub(crate) async fn add_token(
        &self,
        token: &str,
        kind: TokenKind,
    ) -> Result<(), EmbeddedError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        sqlx::query("INSERT INTO session (token, kind, created_at) VALUES (?, ?, ?)")
            .bind(token)
            .bind(kind.as_str())
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// True if `token` is a stored token of `kind`.
    pub(crate) async fn has_token(
        &self,
        token: &str,
        kind: TokenKind,
    ) -> Result<bool, EmbeddedError> {
        let row = sqlx::query("SELECT 1 FROM session WHERE token = ? AND kind = ?")
            .bind(token)
            .bind(kind.as_str())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Inserts or replaces a record.
    pub(crate) async fn put_record(
        &self,
        collection: &str,
        rkey: &str,
        cid: &str,
        value: &serde_json::Value,
    ) -> Result<(), EmbeddedError> {
        sqlx::query(
            "INSERT INTO record (collection, rkey, cid, value) VALUES (?, ?, ?, ?)
             ON CONFLICT (collection, rkey) DO UPDATE SET cid = excluded.cid, value = excluded.value",
        )
        .bind(collection)
        .bind(rkey)
        .bind(cid)
        .bind(value.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes a record; true if it existed.
    pub(crate) async fn delete_record(
        &self,
        collection: &str,
        rkey: &str,
    ) -> Result<bool, EmbeddedError> {
        let done = sqlx::query("DELETE FROM record WHERE collection = ? AND rkey = ?")
            .bind(collection)
            .bind(rkey)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// One record, if present.
    pub(crate) async fn get_record(
        &self,
        collection: &str,
        rkey: &str,
    ) -> Result<Option<StoredRecord>, EmbeddedError> {
        let row =
            sqlx::query("SELECT rkey, cid, value FROM record WHERE collection = ? AND rkey = ?")
                .bind(collection)
                .bind(rkey)
                .fetch_optional(&self.pool)
                .await?;
        row.map(stored_record).transpose()
    }

    /// Up to `limit` records of `collection` after `cursor` (an rkey), by rkey descending, or
    /// ascending when `reverse` (the order of `com.atproto.repo.listRecords`).
    pub(crate) async fn list_records(
        &self,
        collection: &str,
        cursor: Option<&str>,
        limit: u32,
        reverse: bool,
    ) -> Result<Vec<StoredRecord>, EmbeddedError> {
        let sql = if reverse {
            "SELECT rkey, cid, value FROM record WHERE collection = ? AND (? IS NULL OR rkey > ?)
             ORDER BY rkey ASC LIMIT ?"
        } else {
            "SELECT rkey, cid, value FROM record WHERE collection = ? AND (? IS NULL OR rkey < ?)
             ORDER BY rkey DESC LIMIT ?"
        };
        let rows = sqlx::query(sql)
            .bind(collection)
            .bind(cursor)
            .bind(cursor)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(stored_record).collect()
    }

    /// Distinct collections that hold records.
    pub(crate) async fn collections(&self) -> Result<Vec<String>, EmbeddedError> {
        let rows = sqlx::query("SELECT DISTINCT collection FROM record ORDER BY collection")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|r| r.get("collection")).collect())
    }

    /// Stores a blob (a no-op if the CID is already stored).
    pub(crate) async fn put_blob(
        &self,
        cid: &str,
        mime_type: &str,
        bytes: &[u8],
    ) -> Result<(), EmbeddedError> {
        sqlx::query("INSERT OR IGNORE INTO blob (cid, mime_type, size, bytes) VALUES (?, ?, ?, ?)")
            .bind(cid)
            .bind(mime_type)
            .bind(bytes.len() as i64)
            .bind(bytes)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// One blob, if present.
    pub(crate) async fn get_blob(&self, cid: &str) -> Result<Option<StoredBlob>, EmbeddedError> {
        let row = sqlx::query("SELECT mime_type, bytes FROM blob WHERE cid = ?")
            .bind(cid)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| StoredBlob {
            mime_type: r.get("mime_type"),
            bytes: r.get("bytes"),
        }))
    }
}

fn stored_record(row: sqlx::sqlite::SqliteRow) -> Result<StoredRecord, EmbeddedError> {
    let value: String = row.get("value");
    Ok(StoredRecord {
        rkey: row.get("rkey"),
        cid: row.get("cid"),
        value: serde_json::from_str(&value).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
    })
}
