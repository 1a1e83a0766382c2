-- Sender-constrained sessions (DPoP, RFC 9449; docs/dpop.md): a bound session's key thumbprint,
-- and the proofs seen until their window closes. d1Store also creates these on first use.
CREATE TABLE IF NOT EXISTS tessera_dpop_keys (session_id TEXT PRIMARY KEY, jkt TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS tessera_dpop_proofs (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
