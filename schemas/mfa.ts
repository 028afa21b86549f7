import { Type, type Static } from '@sinclair/typebox'
import { TokenPair } from './tokens.js'

const jwt = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9...'
const mfaToken = 'm3Zq0Jc8b1XkTg7wV2nR5yPsLd4hA9eUoF6iQxCjK0E'
const codes = ['k7qm-2xwd-9hfa-pt3n', 'b4ce-zu8r-m2kx-7yqd', 'p9wt-3nhf-v6ja-e2sb', 'x5dr-q8mk-a3tz-h7wn', 'f2gy-k9pc-u4rb-m6xe',
  'w8ht-e3jq-n7ds-b5ka', 'r6zm-y2fv-c9pu-t4gx', 'd3kn-h8wa-q5ey-j7rc', 'u7bs-m4tx-g2kd-z9pf', 'e5qa-w3nh-r8vj-c6ty']

export const TotpCode = Type.String({ pattern: '^[0-9]{6}$', description: 'The 6-digit code the authenticator app shows now', examples: ['492039'] })
export const RecoveryCode = Type.String({
  minLength: 16,
  maxLength: 40,
  pattern: '^[A-Za-z0-9 -]+$',
  description: 'One of the recovery codes, as shown (case, spaces and dashes do not matter); each works once',
  examples: ['k7qm-2xwd-9hfa-pt3n']
})
export const MfaToken = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'The `mfa_token` of the first step', examples: [mfaToken] })

export const PasswordConfirmation = Type.Object({
  current_password: Type.String({ minLength: 1, maxLength: 1024, description: 'The account\'s password, confirmed again', examples: ['contraseña_segura'] })
}, { $id: 'PasswordConfirmation', title: 'PasswordConfirmation', additionalProperties: false, examples: [{ current_password: 'contraseña_segura' }] })

export const EnrolmentReply = Type.Object({
  secret: Type.String({ description: 'The TOTP secret in base32, for typing into an authenticator app by hand', examples: ['JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'] }),
  otpauth_uri: Type.String({ description: 'The `otpauth://totp/...` URI (SHA-1, 6 digits, 30 s)', examples: ['otpauth://totp/jwt-microservice:usuario_ejemplo?issuer=jwt-microservice&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30'] }),
  qr_code: Type.String({ description: 'The URI as a QR code, an SVG data URL (`<img src>`)', examples: ['data:image/svg+xml;base64,PHN2ZyB4bWxucz0i...'] }),
  message: Type.Literal('Scan the QR code, then POST /mfa/totp/confirm with a code to turn TOTP on')
}, {
  description: 'An enrolment waiting for its first code; TOTP is not on yet. A new POST replaces it',
  examples: [{
    secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    otpauth_uri: 'otpauth://totp/jwt-microservice:usuario_ejemplo?issuer=jwt-microservice&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30',
    qr_code: 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0i...',
    message: 'Scan the QR code, then POST /mfa/totp/confirm with a code to turn TOTP on'
  }]
})

export const CodeBody = Type.Object({ code: TotpCode }, { additionalProperties: false, examples: [{ code: '492039' }] })

/** A second factor: exactly one of the two (checked by the handler, 400 MFA_ONE_CODE_REQUIRED otherwise). */
const proof = {
  code: Type.Optional(TotpCode),
  recovery_code: Type.Optional(RecoveryCode)
}
export const ProofBody = Type.Object(proof, { additionalProperties: false, examples: [{ code: '492039' }, { recovery_code: 'k7qm-2xwd-9hfa-pt3n' }] })
export type ProofBodyType = Static<typeof ProofBody>

export const LoginMfaBody = Type.Object({ mfa_token: MfaToken, ...proof }, {
  additionalProperties: false,
  examples: [{ mfa_token: mfaToken, code: '492039' }, { mfa_token: mfaToken, recovery_code: 'k7qm-2xwd-9hfa-pt3n' }]
})

const RecoveryCodes = Type.Array(Type.String(), { minItems: 10, maxItems: 10, description: 'Ten one-time recovery codes, shown this once (stored hashed)', examples: [codes] })

export const EnabledReply = Type.Composite([TokenPair, Type.Object({
  recovery_codes: RecoveryCodes,
  message: Type.Literal('TOTP is on')
})], {
  description: 'TOTP is on; this session proved it (`aal2`) and goes on with the new pair, its previous tokens are revoked',
  examples: [{ access_token: jwt, refresh_token: jwt, token_type: 'Bearer', expires_in: 900, recovery_codes: codes, message: 'TOTP is on' }]
})

export const RecoveryCodesReply = Type.Object({
  recovery_codes: RecoveryCodes,
  message: Type.Literal('New recovery codes; the previous ones no longer work')
}, { examples: [{ recovery_codes: codes, message: 'New recovery codes; the previous ones no longer work' }] })

export const StepUpReply = Type.Composite([TokenPair, Type.Object({ message: Type.Literal('Second factor verified') })], {
  description: 'This session proved its second factor (`amr` `["pwd","otp"]`, `aal2`): a new pair, the previous access and refresh token are revoked',
  examples: [{ access_token: jwt, refresh_token: jwt, token_type: 'Bearer', expires_in: 900, message: 'Second factor verified' }]
})

export const DisabledReply = Type.Object({
  message: Type.Literal('TOTP is off; other sessions were logged out')
}, { description: 'TOTP and the recovery codes are removed; every other session of the user is revoked', examples: [{ message: 'TOTP is off; other sessions were logged out' }] })

export const MfaChallengeReply = Type.Object({
  mfa_required: Type.Literal(true),
  mfa_token: MfaToken,
  methods: Type.Array(Type.Union([Type.Literal('totp'), Type.Literal('recovery_code')]), { description: 'What `POST /login/mfa` accepts: `code` (totp) or `recovery_code`' }),
  expires_in: Type.Integer({ description: 'Seconds the mfa_token stays valid', examples: [300] }),
  message: Type.Literal('Second factor required')
}, {
  description: 'The password was right and the account has a second factor: no tokens yet. POST /login/mfa with the mfa_token ' +
    '(from the same client: same IP and User-Agent) and a code completes the login',
  examples: [{ mfa_required: true, mfa_token: mfaToken, methods: ['totp', 'recovery_code'], expires_in: 300, message: 'Second factor required' }]
})

export const FactorState = Type.Object({
  totp: Type.Union([Type.Literal('enabled'), Type.Literal('pending'), Type.Literal('none')], { description: '`pending`: enrolled, waiting for its first code' }),
  recovery_codes_left: Type.Integer({ minimum: 0, examples: [10] })
}, { description: 'The account\'s second factors', examples: [{ totp: 'enabled', recovery_codes_left: 10 }] })
