-- The account lifecycle (plugins/accounts.ts): a proven address, the language of the user's mails,
-- an address waiting to be proven before it replaces the current one, and the one-time tokens
-- of reset and verification, kept only as their SHA-256.
ALTER TABLE users
  ADD COLUMN IF NOT EXISTS email_verified_at TIMESTAMP(3) NULL DEFAULT NULL,
  ADD COLUMN IF NOT EXISTS pending_email     VARCHAR(254) NULL DEFAULT NULL,
  ADD COLUMN IF NOT EXISTS locale            VARCHAR(5)   CHARACTER SET ascii NULL DEFAULT NULL;

CREATE TABLE IF NOT EXISTS account_tokens (
  token_hash BINARY(32)   NOT NULL PRIMARY KEY,
  user_id    INT UNSIGNED NOT NULL,
  purpose    ENUM('password_reset', 'verify_email', 'change_email') NOT NULL,
  -- The address a verification token proves (the current one, or the pending new one)
  email      VARCHAR(254) NULL,
  expires_at TIMESTAMP(3) NOT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY ix_account_tokens_user (user_id, purpose),
  CONSTRAINT fk_account_tokens_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
