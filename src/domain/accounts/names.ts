// People's names: what a valid name looks like, and the profanity check that
// self-registration applies. Real names contain spaces (van der Berg), hyphens
// (Mary-Jane) and apostrophes (O'Brien, D’Souza), and letters from any script;
// markup characters never belong in one.
import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';

const NAME_MAX_LENGTH = 50;

// Letters (with their combining marks), single separators between them.
const NAME_PATTERN = /^\p{L}\p{M}*(?:[ '’-]?\p{L}\p{M}*)*$/u;

// Real names that contain a listed word (the "Scunthorpe problem"). A name
// that is still refused can be entered by an admin, who is not filtered.
const REAL_NAMES = [
  'analise',
  'annalise',
  'dickens',
  'dickenson',
  'dickerson',
  'dickinson',
  'dickson',
  'hardick',
  'cumming',
  'cummings',
  'cumberbatch',
  'dikshit',
  'shitole',
  'wankhede',
  'wankel',
  'penistone',
  'slutsky',
  'twatt',
];

let matcher: RegExpMatcher | null = null;

function profanityMatcher(): RegExpMatcher {
  if (!matcher) {
    const built = englishDataset.build();
    matcher = new RegExpMatcher({
      ...built,
      whitelistedTerms: [...(built.whitelistedTerms ?? []), ...REAL_NAMES],
      ...englishRecommendedTransformers,
    });
  }
  return matcher;
}

export function containsProfanity(text: string): boolean {
  return profanityMatcher().hasMatch(text);
}

/** NFC, trimmed, runs of white space collapsed to one space. */
export function normalizeName(raw: string): string {
  return raw.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/**
 * Why `name` (already normalised) is not acceptable, or null. `label` starts
 * the message ("First name", "Last name").
 */
export function nameError(name: string, label: string, opts: { profanity: boolean }): string | null {
  if (!name) return `Enter your ${label.toLowerCase()}.`;
  if ([...name].length > NAME_MAX_LENGTH) return `${label} must be at most ${NAME_MAX_LENGTH} characters.`;
  if (!NAME_PATTERN.test(name)) {
    return `${label} may contain only letters, spaces, hyphens and apostrophes.`;
  }
  if (opts.profanity && containsProfanity(name)) {
    return `${label} contains a word that is not allowed. If this really is your name, ask a teacher to create your account.`;
  }
  return null;
}
