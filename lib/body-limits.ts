/**
 * Body limits of the JSON routes, in bytes: a username, an email and a password fit in far less
 * than 4 KiB; a token (its claims, an RSA signature) in less than 8 KiB. Larger bodies get 413
 * before they are read.
 */
export const bodyLimits = {
  credentials: 4 * 1024,
  tokens: 8 * 1024
}
