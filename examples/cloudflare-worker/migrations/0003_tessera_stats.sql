-- GET /v1/stats and the console's live feed read a product's recent activity across users,
-- newest first (docs/protocol.md "Stats"). d1Store also creates it on first use.
CREATE INDEX IF NOT EXISTS tessera_activity_by_time ON tessera_activity (product, env, start_at);
