-- tessera schema for D1: the SQL of src/server/stores/sql-schema.ts (a test keeps them equal).
-- Apply with: npx wrangler d1 migrations apply tessera --remote
-- d1Store also creates these tables on first use (CREATE ... IF NOT EXISTS); the migration
-- keeps DDL off the request path and makes the schema reviewable.

CREATE TABLE IF NOT EXISTS tessera_sessions (
    id TEXT PRIMARY KEY,
    product TEXT NOT NULL, env TEXT NOT NULL, tag TEXT NOT NULL, identifier TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at INTEGER NOT NULL, refresh_expires_at INTEGER NOT NULL, revoked_at INTEGER,
    refresh_hash TEXT NOT NULL, generation INTEGER NOT NULL, rotated_at INTEGER, sealed_pair TEXT);

CREATE INDEX IF NOT EXISTS tessera_sessions_by_identifier ON tessera_sessions (product, env, tag, identifier);

CREATE TABLE IF NOT EXISTS tessera_refresh_hashes (
    hash TEXT PRIMARY KEY, session_id TEXT NOT NULL, generation INTEGER NOT NULL);

CREATE INDEX IF NOT EXISTS tessera_refresh_hashes_by_session ON tessera_refresh_hashes (session_id);

CREATE TABLE IF NOT EXISTS tessera_users (
    product TEXT NOT NULL, env TEXT NOT NULL, tag TEXT NOT NULL, identifier TEXT NOT NULL,
    first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, total_sessions INTEGER NOT NULL,
    PRIMARY KEY (product, env, tag, identifier));

CREATE TABLE IF NOT EXISTS tessera_activity (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    product TEXT NOT NULL, env TEXT NOT NULL, tag TEXT NOT NULL, identifier TEXT NOT NULL, session_id TEXT,
    operation TEXT NOT NULL, status TEXT NOT NULL, start_at INTEGER NOT NULL, end_at INTEGER NOT NULL,
    message TEXT NOT NULL, action TEXT, data TEXT);

CREATE INDEX IF NOT EXISTS tessera_activity_by_identifier ON tessera_activity (identifier, product, env, start_at);

CREATE INDEX IF NOT EXISTS tessera_activity_by_session ON tessera_activity (session_id, operation);

CREATE TABLE IF NOT EXISTS tessera_idempotency (
    key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, expires_at INTEGER NOT NULL,
    session_id TEXT, sealed_response TEXT);
