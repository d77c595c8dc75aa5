// Versioned migrations, applied in name order. Never edit one that has been
// released: add a new file and list it here.
import type { Migration } from 'kysely';
import * as m001 from './001_initial.js';
import * as m002 from './002_session_privilege.js';
import * as m004 from './004_board_counters.js';
import * as m007 from './007_submission_history_index.js';
import * as m008 from './008_email.js';
import * as m009 from './009_answer_box_form_attempts.js';
import * as m010 from './010_school_kinds.js';
import * as m011 from './011_challenge_tags.js';
import * as m012 from './012_upload_bytes.js';
import * as m013 from './013_school_accounts.js';
import * as m014 from './014_identity_per_provider.js';

export const migrations: Record<string, Migration> = {
  '001_initial': m001,
  '002_session_privilege': m002,
  '004_board_counters': m004,
  '007_submission_history_index': m007,
  '008_email': m008,
  '009_answer_box_form_attempts': m009,
  '010_school_kinds': m010,
  '011_challenge_tags': m011,
  '012_upload_bytes': m012,
  '013_school_accounts': m013,
  '014_identity_per_provider': m014,
};
