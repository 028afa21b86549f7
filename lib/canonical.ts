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
