// Stored times are ISO-8601 UTC strings; pages show them in the school's zone.
import { formatSchoolTime } from '../../lib/school-time.js';

export function formatTime(iso: string | null | undefined, timeZone: string): string {
  if (!iso || Number.isNaN(Date.parse(iso))) return '—';
  return formatSchoolTime(iso, timeZone);
}
