// Admin challenge management: lists, create (blank or from a past challenge),
// edit (answer boxes kept consistent with their tries), lock/unlock, image,
// delete (administrators only), the question bank and printable pages. Teachers
// and administrators use everything else. Every change is a POST with a
// CSRF token and an audit entry; the bank, templates and prints only read.
import { mathProseToText } from '../../../lib/latex-text.js';
import { plural } from '../../../lib/plural.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  blankChallengeForm,
  challengeToForm,
  readChallengeForm,
  templateForm,
  validateChallengeForm,
  withAnotherBox,
  type AnswerValidator,
  type ChallengeFormValues,
} from '../../../domain/challenges/challenge-form.js';
import {
  adminChallengeLists,
  ChallengeEditError,
  challengeBoxes,
  createChallenge,
  deleteChallenge,
  findChallenge,
  regradeForEdit,
  setChallengeImage,
  setManualLock,
  triesPerBox,
  updateChallenge,
  type Grader,
} from '../../../domain/challenges/challenges.js';
import {
  challengeDeletionCounts,
  challengeImageFile,
  printableChallenge,
  printableWeek,
  weekStart,
} from '../../../domain/challenges/challenge-admin.js';
import { requestActor } from '../../../domain/audit.js';
import { deleteUpload, removeUploadFile, saveUpload, UploadError } from '../../../domain/content/uploads.js';
import { checkbox } from '../../../lib/forms.js';
import type { MathPool } from '../../../math/pool.js';
import { HttpError } from '../../../security/access.js';
import { FORM_MESSAGES } from '../../answer-messages.js';
import { formFields, formFile, type FormFile } from '../../multipart.js';
import type { FieldErrors } from '../../../lib/forms.js';
import type { Upload } from '../../../db/schema.js';
import {
  AdminChallengeDeletePage,
  AdminChallengeFormPage,
  AdminChallengeListPage,
  AdminQuestionBankPage,
  type ChallengeImage,
} from '../../views/admin/challenges.js';
import { viewContext } from '../../views/context.js';
import { idParam, pageParam, parseId, parseQuery, queryValue } from '../../params.js';
import { z } from 'zod';
import { KEY_STAGES } from '../../../config/index.js';
import { isKeyStage } from '../../../domain/key-stage.js';
import { isoToWallTime } from '../../../lib/school-time.js';
import {
  MAX_TAG_LENGTH,
  normaliseTag,
  questionBank,
  tagsOf,
  type BankFilter,
} from '../../../domain/challenges/tags.js';
import { ChallengePrintPage, WeekPrintPage } from '../../views/admin/challenge-print.js';

const NOT_FOUND = 'There is no challenge with that number.';
/** Challenge images are diagrams: a smaller limit than PDFs. */
const CHALLENGE_IMAGE_MAX_MB = 5;

/** What the admin is told when the engine cannot grade against an answer. */
export function answerValidator(math: MathPool): AnswerValidator {
  return async (answer, options) => {
    const r = await math.check(answer, answer, options);
    if (r.equivalent) return null;
    switch (r.reason) {
      case 'busy':
      case 'worker-error':
      case 'internal-error':
        return 'The math engine is busy and could not check this answer. Save again in a moment.';
      case 'timeout':
        return 'The math engine took too long to read this answer. Write it more simply.';
      case 'wrong-form':
        // The correct answer must itself be in every form the box requires.
        return r.form
          ? `This answer ${FORM_MESSAGES[r.form]}, but the box requires that form: write it so, or untick the form.`
          : `This answer is not written in a form the box requires (${r.detail}).`;
      default:
        return `The math engine cannot grade against this answer (${r.detail || r.reason}). Check the answer and the kind of answer.`;
    }
  };
}

/** Marks a try again against a changed answer box. */
export function grader(math: MathPool): Grader {
  return async (expected, submitted, options) => (await math.check(expected, submitted, options)).equivalent;
}

const challengeId = (request: FastifyRequest): number => idParam(request, NOT_FOUND);
/** Fields the new-challenge form may send: its own, ten boxes of at most eighteen, the image. */
const CREATE_FORM_FIELDS = 220;

const answersFlag = z
  .enum(['', '0', '1'], { message: 'Write answers=1 for the answer sheet.' })
  .optional()
  .transform((v) => v === '1');
const printQuery = z.object({ answers: answersFlag });
const weekQuery = z.object({
  answers: answersFlag,
  week: z
    .string()
    .optional()
    .transform((v) => v || undefined)
    .refine(
      (v) => v === undefined || (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`))),
      'Write the week as a date, e.g. week=2026-03-02.',
    ),
});
const bankQuery = z
  .object({
    key_stage: z
      .string()
      .optional()
      .refine((v) => !v || isKeyStage(v), `Choose a key stage (${KEY_STAGES.join(', ')}).`),
    tag: z
      .string()
      .max(MAX_TAG_LENGTH * 4, 'That topic is too long.')
      .optional(),
    page: z.string().optional(),
  })
  .transform((q): BankFilter => ({
    keyStage: q.key_stage || null,
    tag: q.tag ? normaliseTag(q.tag) || null : null,
  }));

export async function adminChallengeRoutes(app: FastifyInstance): Promise<void> {
  const zone = app.config.school.timeZone;
  // Teachers run the weekly challenges (ADR 032); deleting one stays with the administrators.
  const teacher = { access: 'teacher' } as const;
  const admin = { access: 'admin' } as const;
  const imageSettings = () => ({
    ...app.config.uploads,
    maxMb: Math.min(app.config.uploads.maxMb, CHALLENGE_IMAGE_MAX_MB),
  });

  async function imageOf(id: number, uploadId: number | null): Promise<ChallengeImage | null> {
    const file = await challengeImageFile(app.db, uploadId);
    return file ? { url: `/challenges/${id}/image?v=${file.uploadId}`, originalName: file.originalName } : null;
  }

  app.get('/challenges', { config: teacher }, async (request, reply) => {
    const lists = await adminChallengeLists(app.db, new Date().toISOString(), pageParam(request));
    return reply.render(<AdminChallengeListPage ctx={viewContext(request)} lists={lists} zone={zone} />);
  });

  // `?from=<id>` ("Use as a template") fills the form from a past weekly challenge; nothing is
  // saved until the admin creates it, so reading the address changes nothing.
  app.get('/challenges/new', { config: teacher }, async (request, reply) => {
    const from = queryValue(request, 'from');
    let values = blankChallengeForm();
    let copiedFrom = null;
    if (from !== undefined) {
      const sourceId = parseId(from);
      const source = sourceId === null ? undefined : await findChallenge(app.db, sourceId);
      if (!source || source.competition_id !== null) throw new HttpError(404, NOT_FOUND);
      const [boxes, tags] = await Promise.all([challengeBoxes(app.db, source.id), tagsOf(app.db, [source.id])]);
      values = templateForm(source, boxes, tags.get(source.id) ?? [], zone);
      copiedFrom = { id: source.id, title: source.title };
    }
    return reply.render(
      <AdminChallengeFormPage
        ctx={viewContext(request)}
        id={null}
        values={values}
        zone={zone}
        maxImageMb={imageSettings().maxMb}
        copiedFrom={copiedFrom}
      />,
    );
  });

  // Multipart, so the image can come with the first save: its own field limits, as ten boxes of
  // up to eighteen fields each exceed the limit every other upload route keeps.
  app.post(
    '/challenges/new',
    {
      config: {
        ...teacher,
        multipart: true,
        multipartOptions: { limits: { fields: CREATE_FORM_FIELDS, parts: CREATE_FORM_FIELDS + 1, files: 1 } },
      },
    },
    async (request, reply) => {
      const fields = formFields(request.body);
      const values = readChallengeForm(fields);
      let file: FormFile | null = null;
      let imageError: string | null = null;
      try {
        file = formFile(request, 'image');
      } catch (err) {
        if (!(err instanceof UploadError)) throw err;
        imageError = err.message;
      }
      // A browser cannot fill a file input again: say so whenever the form comes back.
      const imageNote = () => imageError ?? (file ? 'Choose the image again: the form does not keep a file.' : null);
      const showForm = (shown: ChallengeFormValues, errors: FieldErrors, status: number) => {
        const note = imageNote();
        return reply.render(
          <AdminChallengeFormPage
            ctx={viewContext(request)}
            id={null}
            values={shown}
            errors={note ? { ...errors, image: note } : errors}
            zone={zone}
            maxImageMb={imageSettings().maxMb}
          />,
          status,
        );
      };
      if (fields.add_box !== undefined) {
        const more = withAnotherBox(values);
        return showForm(more.values, more.error ? { boxes: more.error } : {}, more.error || imageError ? 400 : 200);
      }
      const outcome = await validateChallengeForm(values, {
        timeZone: zone,
        now: new Date().toISOString(),
        validateAnswer: answerValidator(app.math),
      });
      if (!outcome.ok) return showForm(outcome.values, outcome.errors, 400);
      if (imageError) return showForm(outcome.values, {}, 400);
      let upload: Upload | null = null;
      if (file) {
        try {
          upload = await saveUpload(
            app.db,
            { buffer: file.buffer, originalName: file.filename, allowed: ['image'], createdBy: request.user!.id },
            imageSettings(),
          );
        } catch (err) {
          if (!(err instanceof UploadError)) throw err;
          imageError = err.message;
          return showForm(outcome.values, {}, 400);
        }
      }
      let id: number;
      try {
        id = await createChallenge(
          app.db,
          { ...outcome.data, imageUploadId: upload?.id ?? null },
          requestActor(request),
        );
      } catch (err) {
        if (upload) await deleteUpload(app.db, app.config.uploads, upload.id);
        throw err;
      }
      reply.flash(
        'success',
        `Challenge «${mathProseToText(outcome.data.title)}» created${upload ? ' with its image.' : '. You can add an image below.'}`,
      );
      return reply.redirect(`/admin/challenges/${id}/edit`, 303);
    },
  );

  app.get('/challenges/:id/edit', { config: teacher }, async (request, reply) => {
    const id = challengeId(request);
    const challenge = await findChallenge(app.db, id);
    if (!challenge) throw new HttpError(404, NOT_FOUND);
    const [boxes, tries, image, tags] = await Promise.all([
      challengeBoxes(app.db, id),
      triesPerBox(app.db, id),
      imageOf(id, challenge.image_upload_id),
      tagsOf(app.db, [id]),
    ]);
    return reply.render(
      <AdminChallengeFormPage
        ctx={viewContext(request)}
        id={id}
        values={challengeToForm(challenge, boxes, zone, tags.get(id) ?? [])}
        tries={tries}
        image={image}
        zone={zone}
        maxImageMb={imageSettings().maxMb}
      />,
    );
  });

  app.post('/challenges/:id/edit', { config: teacher }, async (request, reply) => {
    const id = challengeId(request);
    const challenge = await findChallenge(app.db, id);
    if (!challenge) throw new HttpError(404, NOT_FOUND);
    const fields = formFields(request.body);
    const values = readChallengeForm(fields);
    if (fields.add_box !== undefined) {
      const more = withAnotherBox(values);
      const [tries, image] = await Promise.all([triesPerBox(app.db, id), imageOf(id, challenge.image_upload_id)]);
      return reply.render(
        <AdminChallengeFormPage
          ctx={viewContext(request)}
          id={id}
          values={more.values}
          errors={more.error ? { boxes: more.error } : {}}
          tries={tries}
          image={image}
          zone={zone}
          maxImageMb={imageSettings().maxMb}
        />,
        more.error ? 400 : 200,
      );
    }
    const outcome = await validateChallengeForm(values, {
      timeZone: zone,
      now: new Date().toISOString(),
      validateAnswer: answerValidator(app.math),
    });
    const showErrors = async (errors: Record<string, string>) => {
      const [tries, image] = await Promise.all([triesPerBox(app.db, id), imageOf(id, challenge.image_upload_id)]);
      return reply.render(
        <AdminChallengeFormPage
          ctx={viewContext(request)}
          id={id}
          values={values}
          errors={errors}
          tries={tries}
          image={image}
          zone={zone}
          maxImageMb={imageSettings().maxMb}
        />,
        400,
      );
    };
    if (!outcome.ok) return showErrors(outcome.errors);
    const regrading = await regradeForEdit(app.db, id, outcome.data.boxes, grader(app.math));
    let summary;
    try {
      summary = await updateChallenge(app.db, id, outcome.data, regrading, requestActor(request));
    } catch (err) {
      if (err instanceof ChallengeEditError) return showErrors({ boxes: err.message });
      throw err;
    }
    if (!summary) throw new HttpError(404, NOT_FOUND);
    const notes: string[] = [];
    if (summary.boxesAdded) notes.push(`${summary.boxesAdded} box${summary.boxesAdded === 1 ? '' : 'es'} added`);
    if (summary.boxesRemoved)
      notes.push(`${summary.boxesRemoved} box${summary.boxesRemoved === 1 ? '' : 'es'} removed`);
    if (summary.triesRemarked)
      notes.push(`${summary.triesRemarked} ${summary.triesRemarked === 1 ? 'try' : 'tries'} marked again`);
    if (summary.rescored) notes.push('completions and points recalculated');
    reply.flash(
      'success',
      `Challenge «${mathProseToText(outcome.data.title)}» saved${notes.length ? `: ${notes.join(', ')}` : ''}.`,
    );
    return reply.redirect(`/admin/challenges/${id}/edit`, 303);
  });

  for (const action of ['lock', 'unlock'] as const) {
    app.post(`/challenges/:id/${action}`, { config: teacher }, async (request, reply) => {
      const id = challengeId(request);
      const challenge = await findChallenge(app.db, id);
      if (!challenge || !(await setManualLock(app.db, id, action === 'lock', requestActor(request))))
        throw new HttpError(404, NOT_FOUND);
      reply.flash(
        'success',
        action === 'lock'
          ? `«${mathProseToText(challenge.title)}» is locked: it accepts no answers and shows the correct answers.`
          : `«${mathProseToText(challenge.title)}» is unlocked${challenge.lock_after_hours ? ' (its auto-lock time still applies)' : ''}.`,
      );
      return reply.redirect('/admin/challenges', 303);
    });
  }

  app.post('/challenges/:id/image', { config: { ...teacher, multipart: true } }, async (request, reply) => {
    const id = challengeId(request);
    if (!(await findChallenge(app.db, id))) throw new HttpError(404, NOT_FOUND);
    const back = () => reply.redirect(`/admin/challenges/${id}/edit`, 303);
    let upload;
    try {
      const file = formFile(request, 'image');
      if (!file) {
        reply.flash('error', 'Choose an image file to upload.');
        return back();
      }
      upload = await saveUpload(
        app.db,
        { buffer: file.buffer, originalName: file.filename, allowed: ['image'], createdBy: request.user!.id },
        imageSettings(),
      );
    } catch (err) {
      if (err instanceof UploadError) {
        reply.flash('error', err.message);
        return back();
      }
      throw err;
    }
    const result = await setChallengeImage(app.db, id, upload.id, requestActor(request));
    if (!result.found) {
      await deleteUpload(app.db, app.config.uploads, upload.id);
      throw new HttpError(404, NOT_FOUND);
    }
    if (result.replaced) await removeUploadFile(app.config.uploads, result.replaced.storedName);
    reply.flash('success', 'Image saved.');
    return back();
  });

  app.post('/challenges/:id/image/remove', { config: teacher }, async (request, reply) => {
    const id = challengeId(request);
    const result = await setChallengeImage(app.db, id, null, requestActor(request));
    if (!result.found) throw new HttpError(404, NOT_FOUND);
    if (result.replaced) await removeUploadFile(app.config.uploads, result.replaced.storedName);
    reply.flash('success', result.replaced ? 'Image removed.' : 'The challenge had no image.');
    return reply.redirect(`/admin/challenges/${id}/edit`, 303);
  });

  app.get('/challenges/bank', { config: teacher }, async (request, reply) => {
    const filter = parseQuery(request, bankQuery);
    const bank = await questionBank(app.db, filter, new Date().toISOString(), pageParam(request));
    return reply.render(<AdminQuestionBankPage ctx={viewContext(request)} bank={bank} filter={filter} zone={zone} />);
  });

  app.get('/challenges/:id/print', { config: teacher }, async (request, reply) => {
    const item = await printableChallenge(app.db, challengeId(request), new Date().toISOString());
    if (!item) throw new HttpError(404, NOT_FOUND);
    const answers = parseQuery(request, printQuery).answers;
    return reply.render(<ChallengePrintPage ctx={viewContext(request)} item={item} zone={zone} answers={answers} />);
  });

  app.get('/challenges/print/week', { config: teacher }, async (request, reply) => {
    const q = parseQuery(request, weekQuery);
    const now = new Date().toISOString();
    const monday = weekStart(q.week ?? isoToWallTime(now, zone).slice(0, 10));
    const items = await printableWeek(app.db, monday, zone, now);
    return reply.render(
      <WeekPrintPage ctx={viewContext(request)} monday={monday} items={items} zone={zone} answers={q.answers} />,
    );
  });

  app.get('/challenges/:id/delete', { config: admin }, async (request, reply) => {
    const id = challengeId(request);
    const challenge = await findChallenge(app.db, id);
    if (!challenge) throw new HttpError(404, NOT_FOUND);
    const counts = await challengeDeletionCounts(app.db, id);
    return reply.render(
      <AdminChallengeDeletePage
        ctx={viewContext(request)}
        challenge={challenge}
        submissions={counts.submissions}
        completions={counts.completions}
        points={counts.points}
      />,
    );
  });

  app.post('/challenges/:id/delete', { config: admin }, async (request, reply) => {
    const id = challengeId(request);
    const keepPoints = checkbox(formFields(request.body), 'keep_points');
    const summary = await deleteChallenge(app.db, id, { keepPoints }, requestActor(request));
    if (!summary) throw new HttpError(404, NOT_FOUND);
    if (summary.imageStoredName) await removeUploadFile(app.config.uploads, summary.imageStoredName);
    reply.flash(
      'success',
      `«${mathProseToText(summary.title)}» deleted with ${plural(summary.submissions, 'try', 'tries')}. ` +
        (keepPoints
          ? `Its ${plural(summary.pointsKept, 'point')} ${summary.pointsKept === 1 ? 'was' : 'were'} kept as adjustments.`
          : 'The leaderboards were recalculated without it.'),
    );
    return reply.redirect('/admin/challenges', 303);
  });
}
