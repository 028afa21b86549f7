import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Config } from './config.js'
import type { JwkType } from '../schemas/jwks.js'

/** The signing algorithm, as JWT_ALGORITHM names it. */
export type Algorithm = Config['JWT_ALGORITHM']

/** A public key that verifies tokens, with the one algorithm it may verify. */
export interface PublicKey { kid: string, alg: Exclude<Algorithm, 'HS256'>, pem: string, jwk: JwkType }

export interface SigningKeys {
  alg: Algorithm
  kid: string
  /** What signs: the HS256 secret or the private key in PEM. */
  signing: string
  /** What verifies the current tokens: the HS256 secret or the public key in PEM. */
  verifying: string
  /** Public keys published in the JWKS: the current one (if asymmetric), then the previous ones. */
  published: PublicKey[]
}

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g

/** The algorithm a key can sign with; refuses weak or unsupported keys. */
function algorithmOf (key: KeyObject): PublicKey['alg'] {
  const type = key.asymmetricKeyType
  if (type === 'ed25519') return 'EdDSA'
  if (type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256'
  if (type === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) return 'RS256'
  throw new Error(`unsupported key (${type ?? 'unknown'}): use Ed25519 (EdDSA), P-256 (ES256) or RSA of at least 2048 bits (RS256)`)
}

/** The RFC 7638 thumbprint: a kid that names the key and nothing else. */
function thumbprint (jwk: JsonWebKey): string {
  const members = jwk.kty === 'RSA'
    ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
    : jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url')
}

function publicKey (key: KeyObject): PublicKey {
  const alg = algorithmOf(key)
  const exported = key.export({ format: 'jwk' })
  const kid = thumbprint(exported)
  const jwk: JwkType = { kty: String(exported.kty), kid, alg, use: 'sig' }
  for (const member of ['crv', 'x', 'y', 'n', 'e'] as const) {
    const value = exported[member]
    if (typeof value === 'string') jwk[member] = value
  }
  return { kid, alg, pem: key.export({ format: 'pem', type: 'spki' }).toString(), jwk }
}

/** PEM text from the variable itself (with `\n` escapes allowed) or from the file it names. */
function privateKeyPem (config: Config): string {
  if (config.JWT_PRIVATE_KEY !== '') return config.JWT_PRIVATE_KEY.replace(/\\n/g, '\n')
  if (config.JWT_PRIVATE_KEY_FILE !== '') return readFileSync(config.JWT_PRIVATE_KEY_FILE, 'utf8')
  throw new Error(`JWT_ALGORITHM=${config.JWT_ALGORITHM} needs JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE`)
}

function previousKeys (file: string): PublicKey[] {
  if (file === '') return []
  const blocks = readFileSync(file, 'utf8').match(PEM_BLOCK) ?? []
  if (blocks.length === 0) throw new Error(`JWT_PREVIOUS_PUBLIC_KEYS_FILE holds no PEM key: ${file}`)
  return blocks.map(pem => publicKey(createPublicKey(pem)))
}

/** Loads the keys the configuration names; throws one clear error when they are unusable. */
export function loadSigningKeys (config: Config): SigningKeys {
  try {
    const previous = previousKeys(config.JWT_PREVIOUS_PUBLIC_KEYS_FILE)
    if (config.JWT_ALGORITHM === 'HS256') {
      // Names the secret without revealing anything usable about it.
      const kid = createHash('sha256').update(`kid:${config.JWT_SECRET_KEY}`).digest('base64url').slice(0, 16)
      return { alg: 'HS256', kid, signing: config.JWT_SECRET_KEY, verifying: config.JWT_SECRET_KEY, published: previous }
    }
    const privateKey = createPrivateKey(privateKeyPem(config))
    const current = publicKey(createPublicKey(privateKey))
    if (current.alg !== config.JWT_ALGORITHM) {
      throw new Error(`the private key is for ${current.alg}, not JWT_ALGORITHM=${config.JWT_ALGORITHM}`)
    }
    return {
      alg: current.alg,
      kid: current.kid,
      signing: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      verifying: current.pem,
      published: [current, ...previous.filter(key => key.kid !== current.kid)]
    }
  } catch (err) {
    throw new Error(`Invalid JWT keys: ${err instanceof Error ? err.message : String(err)}`)
  }
}
