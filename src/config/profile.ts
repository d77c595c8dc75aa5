// Which of the three profiles applies. The legacy variable names of the old
// platform are honoured, and any of them saying "production" wins: a deploy
// that sets FLASK_ENV=production must never silently run as development.

export type Profile = 'development' | 'testing' | 'production';

export const PROFILE_VARIABLES = ['APP_ENV', 'FLASK_ENV', 'APP_ENVIRONMENT', 'ENV', 'NODE_ENV'] as const;

const ALIASES: Record<string, Profile> = {
  production: 'production',
  prod: 'production',
  development: 'development',
  dev: 'development',
  testing: 'testing',
  test: 'testing',
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function resolveProfile(env: Record<string, string | undefined>): Profile {
  const seen: Profile[] = [];
  for (const name of PROFILE_VARIABLES) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const profile = ALIASES[raw.toLowerCase()];
    if (!profile) {
      // NODE_ENV is shared with every tool in the ecosystem; tolerate odd values there.
      if (name === 'NODE_ENV') continue;
      throw new ConfigError(`${name}="${raw}" is not a profile (use development, testing or production)`);
    }
    seen.push(profile);
  }
  if (seen.includes('production')) return 'production';
  return seen[0] ?? 'development';
}
