-- Mails waiting to go out, written in the transaction of the change they announce and sent by
-- the worker of any instance (plugins/mail.ts). The template's parameters (they can hold a
-- one-time link) are sealed with AES-256-GCM and wiped once the mail is sent or given up.
CREATE TABLE IF NOT EXISTS mail_outbox (
  id              BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT PRIMARY KEY,
  recipient       VARCHAR(254)      NOT NULL,
  template        VARCHAR(32)       CHARACTER SET ascii NOT NULL,
  locale          VARCHAR(5)        CHARACTER SET ascii NOT NULL,
  sealed_params   VARBINARY(4096)   NULL,
  status          ENUM('pending', 'sent', 'failed') NOT NULL DEFAULT 'pending',
  attempts        SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMP(3)      NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  claim           BINARY(16)        NULL,
  last_error      VARCHAR(255)      NULL,
  created_at      TIMESTAMP(3)      NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  sent_at         TIMESTAMP(3)      NULL,
  KEY ix_mail_outbox_due (status, next_attempt_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
