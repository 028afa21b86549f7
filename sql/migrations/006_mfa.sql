-- TOTP second factors (plugins/mfa.ts). A row without enabled_at is an enrolment waiting for its
-- first code. The secret is sealed with AES-256-GCM under the key named by key_id (a key of
-- MFA_ENCRYPTION_KEY / MFA_PREVIOUS_ENCRYPTION_KEYS); last_step is the newest accepted time
-- step, so no code is accepted twice.
CREATE TABLE IF NOT EXISTS mfa_totp (
  user_id       INT UNSIGNED    NOT NULL PRIMARY KEY,
  key_id        CHAR(8)         CHARACTER SET ascii NOT NULL,
  sealed_secret VARBINARY(255)  NOT NULL,
  last_step     BIGINT UNSIGNED NULL,
  created_at    TIMESTAMP(3)    NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  enabled_at    TIMESTAMP(3)    NULL,
  CONSTRAINT fk_mfa_totp_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One-time recovery codes, as SHA-256 of the code (high-entropy: see lib/mfa/recovery-codes.ts).
CREATE TABLE IF NOT EXISTS mfa_recovery_codes (
  user_id   INT UNSIGNED NOT NULL,
  code_hash BINARY(32)   NOT NULL,
  used_at   TIMESTAMP(3) NULL,
  PRIMARY KEY (user_id, code_hash),
  CONSTRAINT fk_mfa_recovery_codes_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
