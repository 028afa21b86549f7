/** The languages of the mails; the seed speaks Spanish, so that is the default. */
export const LOCALES = ['es', 'en'] as const
export type Locale = typeof LOCALES[number]
export const DEFAULT_LOCALE: Locale = 'es'

/** What each mail says, by template; `link` carries its one-time token in the URL fragment. */
export interface TemplateParams {
  verify_email: { username: string, link: string, minutes: number }
  confirm_email_change: { username: string, link: string, minutes: number }
  email_changed: { username: string, new_email: string }
  password_reset: { username: string, link: string, minutes: number }
  password_changed: { username: string }
  mfa_enabled: { username: string }
  mfa_disabled: { username: string }
  mfa_recovery_codes_regenerated: { username: string }
  mfa_recovery_code_used: { username: string, codes_left: number }
}
export type TemplateName = keyof TemplateParams
export const TEMPLATE_NAMES: TemplateName[] = ['verify_email', 'confirm_email_change', 'email_changed', 'password_reset', 'password_changed',
  'mfa_enabled', 'mfa_disabled', 'mfa_recovery_codes_regenerated', 'mfa_recovery_code_used']

interface Text { subject: string, lines: string[], action?: { label: string, link: string } }
type Texts = { [T in TemplateName]: (p: TemplateParams[T]) => Text }

const texts: Record<Locale, Texts> = {
  es: {
    verify_email: p => ({
      subject: 'Confirma tu dirección de correo',
      lines: [`Hola ${p.username}:`, `Confirma que esta dirección es tuya. El enlace caduca en ${p.minutes} minutos.`, 'Si no creaste una cuenta, ignora este mensaje.'],
      action: { label: 'Confirmar dirección', link: p.link }
    }),
    confirm_email_change: p => ({
      subject: 'Confirma tu nueva dirección de correo',
      lines: [`Hola ${p.username}:`, `Pediste usar esta dirección en tu cuenta. El enlace caduca en ${p.minutes} minutos; hasta entonces sigue valiendo la anterior.`, 'Si no lo pediste, ignora este mensaje.'],
      action: { label: 'Confirmar nueva dirección', link: p.link }
    }),
    email_changed: p => ({
      subject: 'La dirección de correo de tu cuenta ha cambiado',
      lines: [`Hola ${p.username}:`, `Tu cuenta usa ahora la dirección ${p.new_email}; a esta ya no llegarán mensajes de la cuenta.`, 'Si no fuiste tú, contacta con soporte cuanto antes.']
    }),
    password_reset: p => ({
      subject: 'Restablece tu contraseña',
      lines: [`Hola ${p.username}:`, `Alguien pidió restablecer la contraseña de tu cuenta. El enlace caduca en ${p.minutes} minutos y sirve una sola vez.`, 'Si no fuiste tú, ignora este mensaje: tu contraseña no cambia.'],
      action: { label: 'Elegir una contraseña nueva', link: p.link }
    }),
    password_changed: p => ({
      subject: 'Tu contraseña ha cambiado',
      lines: [`Hola ${p.username}:`, 'La contraseña de tu cuenta acaba de cambiar y se han cerrado todas sus sesiones.', 'Si no fuiste tú, restablece la contraseña y contacta con soporte.']
    }),
    mfa_enabled: p => ({
      subject: 'Verificación en dos pasos activada',
      lines: [`Hola ${p.username}:`, 'Tu cuenta pide ahora un código de tu aplicación de autenticación al iniciar sesión. Guarda los códigos de recuperación en un lugar seguro.', 'Si no fuiste tú, cambia la contraseña y contacta con soporte cuanto antes.']
    }),
    mfa_disabled: p => ({
      subject: 'Verificación en dos pasos desactivada',
      lines: [`Hola ${p.username}:`, 'Tu cuenta ya no pide un segundo factor y se han cerrado sus otras sesiones.', 'Si no fuiste tú, cambia la contraseña y contacta con soporte cuanto antes.']
    }),
    mfa_recovery_codes_regenerated: p => ({
      subject: 'Nuevos códigos de recuperación',
      lines: [`Hola ${p.username}:`, 'Se han generado códigos de recuperación nuevos para tu cuenta; los anteriores ya no sirven.', 'Si no fuiste tú, cambia la contraseña y contacta con soporte cuanto antes.']
    }),
    mfa_recovery_code_used: p => ({
      subject: 'Se usó un código de recuperación',
      lines: [`Hola ${p.username}:`, `Se inició sesión con uno de tus códigos de recuperación; te quedan ${p.codes_left}.`, 'Si no fuiste tú, cambia la contraseña y genera códigos nuevos cuanto antes.']
    })
  },
  en: {
    verify_email: p => ({
      subject: 'Confirm your email address',
      lines: [`Hello ${p.username},`, `Please confirm that this address is yours. The link expires in ${p.minutes} minutes.`, 'If you did not create an account, ignore this message.'],
      action: { label: 'Confirm address', link: p.link }
    }),
    confirm_email_change: p => ({
      subject: 'Confirm your new email address',
      lines: [`Hello ${p.username},`, `You asked to use this address for your account. The link expires in ${p.minutes} minutes; until then your previous address stays in use.`, 'If you did not ask for this, ignore this message.'],
      action: { label: 'Confirm new address', link: p.link }
    }),
    email_changed: p => ({
      subject: 'The email address of your account changed',
      lines: [`Hello ${p.username},`, `Your account now uses ${p.new_email}; this address will not get its messages any more.`, 'If this was not you, contact support at once.']
    }),
    password_reset: p => ({
      subject: 'Reset your password',
      lines: [`Hello ${p.username},`, `Someone asked to reset the password of your account. The link expires in ${p.minutes} minutes and works once.`, 'If this was not you, ignore this message: your password stays as it is.'],
      action: { label: 'Choose a new password', link: p.link }
    }),
    password_changed: p => ({
      subject: 'Your password changed',
      lines: [`Hello ${p.username},`, 'The password of your account was just changed and all its sessions were ended.', 'If this was not you, reset your password and contact support.']
    }),
    mfa_enabled: p => ({
      subject: 'Two-step verification turned on',
      lines: [`Hello ${p.username},`, 'Your account now asks for a code from your authenticator app at login. Keep the recovery codes somewhere safe.', 'If this was not you, change your password and contact support at once.']
    }),
    mfa_disabled: p => ({
      subject: 'Two-step verification turned off',
      lines: [`Hello ${p.username},`, 'Your account no longer asks for a second factor, and its other sessions were ended.', 'If this was not you, change your password and contact support at once.']
    }),
    mfa_recovery_codes_regenerated: p => ({
      subject: 'New recovery codes',
      lines: [`Hello ${p.username},`, 'New recovery codes were made for your account; the previous ones no longer work.', 'If this was not you, change your password and contact support at once.']
    }),
    mfa_recovery_code_used: p => ({
      subject: 'A recovery code was used',
      lines: [`Hello ${p.username},`, `Someone logged in with one of your recovery codes; ${p.codes_left} are left.`, 'If this was not you, change your password and make new codes at once.']
    })
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)

export interface RenderedMail { subject: string, text: string, html: string }

/** The mail of `template` in `locale`, as plain text and as HTML (every value escaped). */
export function render<T extends TemplateName> (template: T, locale: Locale, params: TemplateParams[T]): RenderedMail {
  const { subject, lines, action } = (texts[locale][template] as (p: TemplateParams[T]) => Text)(params)
  const text = [...lines.slice(0, 2), ...(action === undefined ? [] : [`${action.label}: ${action.link}`]), ...lines.slice(2)].join('\n\n')
  const paragraphs = lines.map(line => `<p>${escapeHtml(line)}</p>`)
  if (action !== undefined) paragraphs.splice(2, 0, `<p><a href="${escapeHtml(action.link)}">${escapeHtml(action.label)}</a></p>`)
  const html = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>${paragraphs.join('')}</body></html>`
  return { subject, text: `${text}\n`, html }
}

/** The first of our languages that an Accept-Language header prefers (by q), or the default. */
export function localeFrom (acceptLanguage: string | undefined): Locale {
  if (acceptLanguage === undefined) return DEFAULT_LOCALE
  const ranked = acceptLanguage.split(',').map((part, index) => {
    const [tag = '', ...options] = part.trim().split(';')
    const q = options.map(o => o.trim()).find(o => o.startsWith('q='))
    return { language: tag.trim().toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q.slice(2)), index }
  }).filter(entry => entry.q > 0).sort((a, b) => b.q - a.q || a.index - b.index)
  return ranked.map(entry => LOCALES.find(locale => locale === entry.language)).find(locale => locale !== undefined) ?? DEFAULT_LOCALE
}
