// Shared pieces of the challenge and leaderboard pages: times in the school's
// zone and key-stage badges. Answers are shown with MathAnswer (../math-answer.tsx).
import { formatSchoolTime } from '../../../lib/school-time.js';

/** A time in the school's zone inside a <time> element. */
export function SchoolTime({ iso, zone }: { iso: string; zone: string }) {
  return <time dateTime={iso}>{formatSchoolTime(iso, zone)}</time>;
}

export function KeyStageBadge({ keyStage }: { keyStage: string }) {
  return <span class="badge badge-ks">{keyStage}</span>;
}

// Re-exported so the pages that take it from here share the one helper.
export { plural } from '../../../lib/plural.js';
