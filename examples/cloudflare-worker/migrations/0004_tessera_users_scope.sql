-- GET /v1/users across tags, products and envs reads a product and env's users most recently
-- seen first, or from an identifier prefix on (docs/protocol.md "Users"), at most 10,000 rows
-- a product and env, from these indexes. d1Store also creates them on first use.
CREATE INDEX IF NOT EXISTS tessera_users_by_last_seen ON tessera_users (product, env, last_seen);

CREATE INDEX IF NOT EXISTS tessera_users_by_identifier ON tessera_users (product, env, identifier COLLATE BINARY);
