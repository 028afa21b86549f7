import createError from '@fastify/error'

/** Every error the service answers with on purpose; `code` is stable for clients. */
export const errors = {
  InvalidCredentials: createError('INVALID_CREDENTIALS', 'Invalid username or password', 401),
  MissingToken: createError('TOKEN_MISSING', 'Missing Authorization header with a Bearer token', 401),
  InvalidToken: createError('TOKEN_INVALID', 'Token is invalid', 401),
  ExpiredToken: createError('TOKEN_EXPIRED', 'Token has expired', 401),
  RevokedToken: createError('TOKEN_REVOKED', 'Token has been revoked', 401),
  RefreshTokenReused: createError('REFRESH_TOKEN_REUSED', 'Refresh token was already used; the session has been revoked', 401),
  ResetTokenInvalid: createError('RESET_TOKEN_INVALID', 'The reset token is invalid, expired or already used; ask for a new one', 400),
  VerificationTokenInvalid: createError('VERIFICATION_TOKEN_INVALID', 'The verification token is invalid, expired or already used; ask for a new one', 400),
  EmailUnchanged: createError('EMAIL_UNCHANGED', 'new_email is already the address of this account', 400),
  EmailNotVerified: createError('EMAIL_NOT_VERIFIED', 'The email address of this account is not verified yet; follow the link mailed to it', 403),
  EmailAlreadyVerified: createError('EMAIL_ALREADY_VERIFIED', 'The email address of this account is already verified', 409),
  WrongPassword: createError('PASSWORD_INCORRECT', 'password is not the password of this account', 403),
  WrongCurrentPassword: createError('CURRENT_PASSWORD_INVALID', 'current_password is not the password of this account', 403),
  ForwardAuthDenied: createError('FORWARD_AUTH_DENIED', 'The forward-auth rules deny this request', 403),
  SessionNotFound: createError('SESSION_NOT_FOUND', 'No such session among yours', 404),
  UserNotFound: createError('USER_NOT_FOUND', 'The user of this token no longer exists', 401),
  IntrospectionDisabled: createError('INTROSPECTION_DISABLED', 'Introspection is disabled: set INTROSPECTION_CLIENT_ID and INTROSPECTION_CLIENT_SECRET', 404),
  InvalidClient: createError('INVALID_CLIENT', 'Invalid introspection client credentials', 401),
  InvalidMetricsToken: createError('METRICS_TOKEN_INVALID', 'Missing or wrong Authorization: Bearer <METRICS_TOKEN>', 401),
  UsernameTaken: createError('USERNAME_TAKEN', 'Username already exists', 409),
  EmailTaken: createError('EMAIL_TAKEN', 'Email already exists', 409),
  PasswordTooLong: createError('PASSWORD_TOO_LONG', '%s must be at most 72 bytes of UTF-8: bcrypt would silently ignore the rest', 400),
  PasswordIsAccountName: createError('PASSWORD_IS_ACCOUNT_NAME', '%s must not be the username or the email', 400),
  PasswordTooCommon: createError('PASSWORD_TOO_COMMON', '%s is one of the most common passwords; choose another', 400),
  InvalidJson: createError('INVALID_JSON', 'body is not valid JSON', 400),
  PrototypeKey: createError('FORBIDDEN_KEY', 'body must not contain a "%s" key', 400),
  MfaRequired: createError('MFA_REQUIRED', 'This needs a session confirmed with your second factor: POST /mfa/verify first', 403),
  MfaTokenInvalid: createError('MFA_TOKEN_INVALID', 'mfa_token is unknown, expired, already used or from another client: log in again', 401),
  MfaCodeInvalid: createError('MFA_CODE_INVALID', 'The code is wrong, expired or already used', 401),
  MfaCodeRejected: createError('MFA_CODE_REJECTED', 'The code is wrong, expired or already used', 403),
  MfaOneCode: createError('MFA_ONE_CODE_REQUIRED', 'Give exactly one of code and recovery_code', 400),
  MfaAlreadyEnabled: createError('MFA_ALREADY_ENABLED', 'TOTP is already on for this account; turn it off first to enrol another authenticator', 409),
  MfaNotEnabled: createError('MFA_NOT_ENABLED', 'TOTP is not on for this account', 409),
  MfaEnrolmentMissing: createError('MFA_ENROLMENT_MISSING', 'No enrolment is waiting for a code: POST /mfa/totp first', 409),
  MfaNotConfigured: createError('MFA_NOT_CONFIGURED', 'Second factors are not available on this service (MFA_ENCRYPTION_KEY is not set)', 501),
  MfaKeyUnavailable: createError('MFA_KEY_UNAVAILABLE', 'The key that sealed this account\'s second factor is not configured; try again later', 503),
  RateLimited: createError('RATE_LIMITED', 'Too many requests, retry in %s', 429),
  TokenStoreUnavailable: createError('TOKEN_STORE_UNAVAILABLE', 'Token store is unavailable, try again shortly', 503),
  DatabaseUnavailable: createError('DATABASE_UNAVAILABLE', 'User database is unavailable, try again shortly', 503)
}

/**
 * Codes Fastify itself answers with (validation, body size and media type, a URL that does not
 * decode), the 404 handler's and those of requests that never reached Fastify (lib/client-errors.ts).
 */
const FRAMEWORK_CODES = ['FST_ERR_VALIDATION', 'FST_ERR_CTP_BODY_TOO_LARGE', 'FST_ERR_CTP_INVALID_MEDIA_TYPE', 'FST_ERR_BAD_URL', 'NOT_FOUND',
  'REQUEST_TIMEOUT', 'HEADERS_TOO_LARGE', 'MALFORMED_REQUEST']

/** Every `code` an error answer can carry: the enum of ErrorReply.code, the table of docs/api.md. */
export const errorCodes: string[] = [...Object.values(errors).map(E => new E().code), ...FRAMEWORK_CODES]
