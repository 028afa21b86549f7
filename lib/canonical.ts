/**
 * The one form of a username or an email that the service stores, compares and keys its limits
 * by: Unicode NFKC (fullwidth letters, ideographic spaces and ligatures become their plain
 * forms), lower-cased (locale-independent), NFKC again (lower-casing may leave a string that is
 * not normalized), trimmed of whitespace at both ends. The database then compares it byte for
 * byte: no accent-, width-, case- or pad-insensitive matching remains to widen what a name means.
 */
export function canonical (text: string): string {
  return text.normalize('NFKC').toLowerCase().normalize('NFKC').trim()
}

/**
 * A preValidation hook that puts the named string fields of the body in canonical form before
 * the schema judges them: the form in which they are stored, looked up and rate-limited.
 */
export function canonicalFields (...fields: string[]) {
  return async function ({ body }: { body: unknown }) {
    if (typeof body !== 'object' || body === null) return
    for (const field of fields) {
      const value: unknown = Reflect.get(body, field)
      if (typeof value === 'string') Reflect.set(body, field, canonical(value))
    }
  }
}
