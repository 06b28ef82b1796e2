-- Staff accounts for the console under /admin, their sessions, and the audit log.
--
-- One schema for SQLite and PostgreSQL: TEXT ids made by the application, BIGINT unix seconds,
-- 0/1 BIGINT flags (the `Any` driver reads BOOLEAN differently on the two engines).

-- Who may sign in to the console. The email is stored lower-cased (the CHECK keeps every
-- writer honest), so UNIQUE is case-insensitive without an engine-specific collation.
-- `password_hash` is an Argon2id PHC string (`$argon2id$v=19$m=...`): the parameters travel
-- with the hash, so they can be raised later without invalidating existing passwords.
-- `failed_logins` counts consecutive wrong passwords; the fifth sets `locked_until` (15 minutes
-- ahead) and starts the count again. Staff are disabled, never deleted, so the audit log keeps
-- pointing at a real row.
CREATE TABLE staff (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE CHECK (email = lower(email)),
    role          TEXT NOT NULL CHECK (role IN ('marketer', 'admin')),
    password_hash TEXT NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until  BIGINT,
    created_at    BIGINT NOT NULL,
    disabled      BIGINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
);

-- Signed-in browsers. In the database (not in memory) so that any replica accepts the cookie.
-- `id` is the SHA-256 (hex) of the random token in the cookie: a copy of this table does not
-- let anyone sign in. `csrf_token` is the synchronizer token the console's forms carry.
-- A session ends 30 minutes after `last_seen_at` or at `expires_at` (12 hours after sign-in),
-- whichever comes first; sign-out and disabling the account delete the row.
CREATE TABLE staff_sessions (
    id           TEXT PRIMARY KEY,
    staff_id     TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);
CREATE INDEX staff_sessions_expires ON staff_sessions (expires_at);

-- Every change made through the console or the `vitrine staff` command, written in the same
-- transaction as the change. `actor` is the staff email at the time (or 'command line',
-- 'system'), kept as text so the entry reads the same after the account changes. `id` starts
-- with the time in nanoseconds (zero-padded), so ordering by id is ordering by time even
-- within one second.
CREATE TABLE audit_log (
    id       TEXT PRIMARY KEY,
    at       BIGINT NOT NULL,
    staff_id TEXT REFERENCES staff (id),
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL,
    detail   TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
