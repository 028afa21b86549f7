-- A user's credential version: every password change raises it, and a session is only created
-- for a login whose password check read the current one (docs/security.md, "Sessions").
ALTER TABLE users ADD COLUMN IF NOT EXISTS credential_epoch INT UNSIGNED NOT NULL DEFAULT 0;
