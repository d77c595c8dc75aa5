// Email addresses are stored trimmed and lower-cased, so "Ann@School.org " and
// "ann@school.org" are one account; the domain decides the school.
const EMAIL_MAX_LENGTH = 254;

// Deliberately plain: one @, no spaces or markup, a dot in the domain.
const EMAIL_PATTERN = /^[^\s@<>"'(),;:\\[\]]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

export function normalizeEmail(raw: unknown): string {
  return typeof raw === 'string' ? raw.trim().toLowerCase() : '';
}

/** Why `email` (already normalised) is not an acceptable address, or null. */
export function emailError(email: string): string | null {
  if (!email) return 'Enter your email address.';
  if (email.length > EMAIL_MAX_LENGTH) return `Email addresses are at most ${EMAIL_MAX_LENGTH} characters.`;
  if (!EMAIL_PATTERN.test(email)) return 'Enter a valid email address, like name@school.org.';
  return null;
}

/** The part after the last @ ("ann@school.org" → "school.org"). */
export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1);
}
