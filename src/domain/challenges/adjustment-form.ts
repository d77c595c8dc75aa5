// The admin's manual adjustment form for the key-stage boards: the student
// (an email address or an account number), the board, the points and the
// reason. Field rules are a zod schema; finding the student and their own
// key stage needs the database. The board is always the pupil's own.
import { z } from 'zod';
import type { KeyStage } from '../../config/index.js';
import type { User } from '../../db/schema.js';
import type { Db } from '../../db/index.js';
import { checkFields, formOutcome, type FormOutcome } from '../../lib/forms.js';
import { findUserByEmail, findUserById } from '../accounts/users.js';
import { isKeyStage } from '../key-stage.js';
import { ADJUSTMENT_POINTS, MAX_REASON_LENGTH, type AdjustmentInput } from './leaderboards.js';

export type AdjustmentFormValues = {
  user: string;
  key_stage: string;
  points: string;
  reason: string;
};

const adjustmentSchema = (fixedUser: boolean) =>
  z.object({
    user: fixedUser ? z.string() : z.string().min(1, 'Enter the student’s email address or account number.'),
    key_stage: z.string().refine((v) => !v || isKeyStage(v), 'Choose a key stage from the list.'),
    points: z
      .string()
      .refine(
        (v) =>
          /^-?\d{1,4}$/.test(v) &&
          Number(v) !== 0 &&
          Number(v) >= ADJUSTMENT_POINTS.min &&
          Number(v) <= ADJUSTMENT_POINTS.max,
        `Points must be a whole number from ${ADJUSTMENT_POINTS.min} to ${ADJUSTMENT_POINTS.max}, not 0 (use a minus sign to take points away).`,
      )
      .transform(Number),
    reason: z
      .string()
      .min(1, 'Give a reason: it is kept with the adjustment and in the audit log.')
      .refine((v) => [...v].length <= MAX_REASON_LENGTH, `The reason must be at most ${MAX_REASON_LENGTH} characters.`),
  });

/** The student the form names: by account number or email address, or the fixed one when editing. */
function findStudent(db: Db, user: string, fixedUserId?: number): Promise<User | undefined> {
  if (fixedUserId !== undefined) return findUserById(db, fixedUserId);
  return /^\d{1,10}$/.test(user) ? findUserById(db, Number(user)) : findUserByEmail(db, user);
}

/**
 * Validates an adjustment. `user` is an email address or an account number;
 * a blank key stage means the student's own. When editing, the user is fixed.
 */
export async function validateAdjustmentForm(
  db: Db,
  fields: Record<string, string>,
  fixedUserId?: number,
): Promise<FormOutcome<AdjustmentInput, AdjustmentFormValues>> {
  const values: AdjustmentFormValues = {
    user: (fields.user ?? '').trim(),
    key_stage: (fields.key_stage ?? '').trim(),
    points: (fields.points ?? '').trim().replace(/^\+/, ''),
    reason: (fields.reason ?? '').normalize('NFC').replace(/\s+/g, ' ').trim(),
  };
  const { data, errors } = checkFields(adjustmentSchema(fixedUserId !== undefined), values);

  const student =
    fixedUserId !== undefined || values.user ? await findStudent(db, values.user, fixedUserId) : undefined;
  if (!student && fixedUserId !== undefined) errors.user = 'That student’s account no longer exists.';
  else if (!student && values.user) errors.user = 'No account has that email address or number.';

  // Every point a pupil has counts on their own key stage's board (ADR 015), so an
  // adjustment can only go there: a board chosen here must be the pupil's own.
  let keyStage: KeyStage | null = null;
  if (student && !errors.key_stage) {
    if (!isKeyStage(student.key_stage))
      errors.key_stage = 'This account has no school year, so it is on no board: set its year first.';
    else if (values.key_stage && values.key_stage !== student.key_stage)
      errors.key_stage = `This pupil is in Year ${student.year_group ?? '?'}, so their points count on the ${student.key_stage} board: choose ${student.key_stage} or leave the board blank.`;
    else keyStage = student.key_stage;
  }
  return formOutcome(values, errors, () => ({
    userId: student!.id,
    keyStage: keyStage!,
    points: data!.points,
    reason: values.reason,
  }));
}
