/**
 * The SQL of the SQLite and D1 stores (one dialect: SQLite). Times are INTEGER milliseconds.
 * Refresh tokens appear only as SHA-256 hashes; `data` and `sealed_pair` are ciphertext.
 */
export const SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS tessera_sessions (
    id TEXT PRIMARY KEY,
    product TEXT NOT NULL, env TEXT NOT NULL, tag TEXT NOT NULL, identifier TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at INTEGER NOT NULL, refresh_expires_at INTEGER NOT NULL, revoked_at INTEGER,
    refresh_hash TEXT NOT NULL, generation INTEGER NOT NULL, rotated_at INTEGER, sealed_pair TEXT)`,
  `CREATE INDEX IF NOT EXISTS tessera_sessions_by_identifier ON tessera_sessions (product, env, tag, identifier)`,
  `CREATE TABLE IF NOT EXISTS tessera_refresh_hashes (
    hash TEXT PRIMARY KEY, session_id TEXT NOT NULL, generation INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS tessera_refresh_hashes_by_session ON tessera_refresh_hashes (session_id)`,
  `CREATE TABLE IF NOT EXISTS tessera_users (
    product TEXT NOT NULL, env TEXT NOT NULL, tag TEXT NOT NULL, identifier TEXT NOT NULL,
    first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, total_sessions INTEGER NOT NULL,
    PRIMARY KEY (product, env, tag, identifier))`,
  `CREATE TABLE IF NOT EXISTS tessera_activity (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    product TEXT NOT NULL, env TEXT NOT NULL, tag TEXT NOT NULL, identifier TEXT NOT NULL, session_id TEXT,
    operation TEXT NOT NULL, status TEXT NOT NULL, start_at INTEGER NOT NULL, end_at INTEGER NOT NULL,
    message TEXT NOT NULL, action TEXT, data TEXT)`,
  `CREATE INDEX IF NOT EXISTS tessera_activity_by_identifier ON tessera_activity (identifier, product, env, start_at)`,
  // The per-session track cap counts a session's track events on every track.
  `CREATE INDEX IF NOT EXISTS tessera_activity_by_session ON tessera_activity (session_id, operation)`,
  `CREATE TABLE IF NOT EXISTS tessera_idempotency (
    key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, expires_at INTEGER NOT NULL,
    session_id TEXT, sealed_response TEXT)`,
  // DPoP (RFC 9449): a bound session's key, in its own table so databases made before binding
  // existed need no ALTER TABLE; and the proofs seen, until their window closes.
  `CREATE TABLE IF NOT EXISTS tessera_dpop_keys (session_id TEXT PRIMARY KEY, jkt TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS tessera_dpop_proofs (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)`,
  // Stats and the console's live feed read a product's recent activity across users, newest first.
  `CREATE INDEX IF NOT EXISTS tessera_activity_by_time ON tessera_activity (product, env, start_at)`,
  // GET /v1/users across tags reads a product and env's users most recently seen first, or with
  // a search from an identifier prefix on. BINARY (PostgreSQL: "C") keeps the identifier index in
  // byte order whatever the database's collation, so a prefix is one contiguous range of it.
  `CREATE INDEX IF NOT EXISTS tessera_users_by_last_seen ON tessera_users (product, env, last_seen)`,
  `CREATE INDEX IF NOT EXISTS tessera_users_by_identifier ON tessera_users (product, env, identifier COLLATE BINARY)`,
];

/** Products with their envs: a list of (product, env) pairs, grouped so a query binds fewer parameters. */
export type ProductEnvs = [product: string, envs: string[]][];

export const productEnvs = (scopes: readonly { product: string; env: string }[]): ProductEnvs => {
  const grouped = new Map<string, string[]>();
  for (const { product, env } of scopes) grouped.set(product, [...(grouped.get(product) ?? []), env]);
  return [...grouped];
};

const ACTIVE = `revoked_at IS NULL AND refresh_expires_at > ?`;
const ENDED = `min(refresh_expires_at, coalesce(revoked_at, refresh_expires_at)) < ?`;

export const SQL = {
  insertSession: `INSERT INTO tessera_sessions (id, product, env, tag, identifier, data, created_at, refresh_expires_at,
    revoked_at, refresh_hash, generation, rotated_at, sealed_pair) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  insertHash: `INSERT INTO tessera_refresh_hashes (hash, session_id, generation) VALUES (?, ?, ?)`,
  // Columns qualified by table: PostgreSQL (postgres.ts reuses this SQL) calls a bare name ambiguous beside `excluded`.
  countUserSession: `INSERT INTO tessera_users (product, env, tag, identifier, first_seen, last_seen, total_sessions)
    VALUES (?, ?, ?, ?, ?, ?, 1)
    ON CONFLICT (product, env, tag, identifier) DO UPDATE SET
      total_sessions = tessera_users.total_sessions + 1, last_seen = max(tessera_users.last_seen, excluded.last_seen)`,
  getSession: `SELECT s.*, k.jkt FROM tessera_sessions s LEFT JOIN tessera_dpop_keys k ON k.session_id = s.id WHERE s.id = ?`,
  insertDpopKey: `INSERT INTO tessera_dpop_keys (session_id, jkt) VALUES (?, ?)`,
  // Same shape as claimIdempotency: new, or the earlier record has expired.
  claimProof: `INSERT INTO tessera_dpop_proofs (key, expires_at) VALUES (?, ?)
    ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE tessera_dpop_proofs.expires_at <= ?`,
  purgeProofs: `DELETE FROM tessera_dpop_proofs WHERE expires_at <= ?`,
  findHash: `SELECT session_id, generation FROM tessera_refresh_hashes WHERE hash = ?`,
  // The compare-and-set: only the caller that still sees the expected hash moves the generation.
  rotate: `UPDATE tessera_sessions SET refresh_hash = ?, generation = ?, rotated_at = ?, refresh_expires_at = ?, sealed_pair = ?
    WHERE id = ? AND refresh_hash = ? AND generation = ? AND revoked_at IS NULL`,
  // Registers the new hash only if the UPDATE above applied (same transaction/batch).
  registerRotatedHash: `INSERT INTO tessera_refresh_hashes (hash, session_id, generation)
    SELECT refresh_hash, id, generation FROM tessera_sessions WHERE id = ? AND refresh_hash = ?`,
  revoke: (filter: { sessionId?: string; identifier?: string; excludeSessionId?: string }) =>
    `UPDATE tessera_sessions SET revoked_at = ? WHERE product = ? AND env = ? AND tag = ? AND ${ACTIVE}` +
    (filter.sessionId !== undefined ? ` AND id = ?` : "") +
    (filter.identifier !== undefined ? ` AND identifier = ?` : "") +
    (filter.excludeSessionId !== undefined ? ` AND id <> ?` : ""),
  sessionsWhere: (q: { identifier?: string; activeOnly: boolean }) =>
    `FROM tessera_sessions WHERE product = ? AND env = ? AND tag = ?` +
    (q.identifier !== undefined ? ` AND identifier = ?` : "") +
    (q.activeOnly ? ` AND ${ACTIVE}` : ""),
  // One product and env's user rows, at most LIMIT (user-rows.ts): the most recently seen first,
  // or from a prefix on in identifier order. Params: (now with `withActive`), product, env,
  // (start, (end)) with a search, limit.
  usersRead: (q: { search: boolean; end: boolean; withActive: boolean }) =>
    `SELECT u.tag, u.identifier, u.first_seen, u.last_seen, u.total_sessions` +
    (q.withActive ? `, (SELECT count(*) FROM tessera_sessions s WHERE s.product = u.product AND s.env = u.env AND s.tag = u.tag
      AND s.identifier = u.identifier AND s.revoked_at IS NULL AND s.refresh_expires_at > ?) AS active_sessions` : "") +
    ` FROM tessera_users u WHERE u.product = ? AND u.env = ?` +
    (q.search
      ? ` AND u.identifier COLLATE BINARY >= ?` + (q.end ? ` AND u.identifier COLLATE BINARY < ?` : "") + ` ORDER BY u.identifier COLLATE BINARY`
      : ` ORDER BY u.last_seen DESC`) +
    ` LIMIT ?`,
  // Active sessions of n user rows, each term from the (product, env, tag, identifier) index
  // (an OR of terms: D1 caps compound SELECTs). Params: now, then per row product, env, tag, identifier.
  activeOfUsers: (n: number) =>
    `SELECT product, env, tag, identifier, count(*) AS n FROM tessera_sessions WHERE ${ACTIVE} AND (` +
    Array.from({ length: n }, () => `(product = ? AND env = ? AND tag = ? AND identifier = ?)`).join(" OR ") +
    `) GROUP BY product, env, tag, identifier`,
  // Bounded: the inner query stops after `limit` rows of the (product, env, start_at) index.
  scanActivity: `SELECT product, env, tag, identifier, session_id, operation, status, start_at, end_at, message, action
    FROM tessera_activity WHERE product = ? AND env = ? AND start_at >= ? AND start_at < ?
    ORDER BY start_at DESC, seq DESC LIMIT ?`,
  countActive: (q: { tag?: string }) =>
    `SELECT count(*) AS n FROM (SELECT 1 FROM tessera_sessions WHERE product = ? AND env = ?` +
    (q.tag !== undefined ? ` AND tag = ?` : "") + ` AND ${ACTIVE} LIMIT ?) AS active`,
  insertActivity: `INSERT INTO tessera_activity (product, env, tag, identifier, session_id, operation, status,
    start_at, end_at, message, action, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  touchUser: `UPDATE tessera_users SET last_seen = max(last_seen, ?) WHERE product = ? AND env = ? AND tag = ? AND identifier = ?`,
  // Params: identifier, then per product its name and envs (productEnvs), then the filters'.
  activityWhere: (q: { tag?: string; from?: number; to?: number; operation?: string; status?: string }, products: ProductEnvs) =>
    `FROM tessera_activity WHERE identifier = ? AND (` +
    products.map(([, envs]) => `(product = ? AND env IN (${envs.map(() => "?").join(", ")}))`).join(" OR ") + `)` +
    (q.tag !== undefined ? ` AND tag = ?` : "") +
    (q.from !== undefined ? ` AND start_at >= ?` : "") +
    (q.to !== undefined ? ` AND start_at <= ?` : "") +
    (q.operation !== undefined ? ` AND operation = ?` : "") +
    (q.status !== undefined ? ` AND status = ?` : ""),
  trackUsage: `SELECT count(*) AS n, coalesce(sum(length(data)), 0) AS chars FROM tessera_activity WHERE session_id = ? AND operation = 'track'`,
  // Takes the key when it is new or its previous claim has expired; otherwise changes nothing.
  claimIdempotency: `INSERT INTO tessera_idempotency (key, body_hash, expires_at, session_id, sealed_response)
    VALUES (?, ?, ?, NULL, NULL)
    ON CONFLICT (key) DO UPDATE SET body_hash = excluded.body_hash, expires_at = excluded.expires_at,
      session_id = NULL, sealed_response = NULL
    WHERE tessera_idempotency.expires_at <= ?`,
  getIdempotency: `SELECT * FROM tessera_idempotency WHERE key = ?`,
  completeIdempotency: `UPDATE tessera_idempotency SET session_id = ?, sealed_response = ? WHERE key = ?`,
  releaseIdempotency: `DELETE FROM tessera_idempotency WHERE key = ?`,
  purgeHashes: `DELETE FROM tessera_refresh_hashes WHERE session_id IN (SELECT id FROM tessera_sessions WHERE ${ENDED})`,
  purgeDpopKeys: `DELETE FROM tessera_dpop_keys WHERE session_id IN (SELECT id FROM tessera_sessions WHERE ${ENDED})`,
  purgeSessions: `DELETE FROM tessera_sessions WHERE ${ENDED}`,
  purgeActivity: `DELETE FROM tessera_activity WHERE start_at < ?`,
  purgeIdempotency: `DELETE FROM tessera_idempotency WHERE expires_at <= ?`,
} as const;
