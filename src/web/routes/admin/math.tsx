// The admin math API (JSON) and the "Math engine tester" page. Both ask the
// shared worker pool (app.math), so a hostile expression typed here is as
// bounded as one typed into an answer box. Rate-limited by RATELIMIT_MATH_API
// (every /api/math/ route), admin only, CSRF-protected like every POST.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  ANSWER_FORMS,
  answerOptionsSchema,
  type AnswerForm,
  type AnswerOptionsInput,
  type CheckResult,
} from '../../../math/index.js';
import { viewContext } from '../../views/context.js';
import { MathTesterPage, type TesterValues } from '../../views/admin/math-tester.js';

/** Long enough for any real answer; the engine itself refuses anything over its own limit. */
const MAX_EXPRESSION = 2000;
const expression = z.string().max(MAX_EXPRESSION, `Expressions are limited to ${MAX_EXPRESSION} characters.`);

const equivalenceBody = z.object({
  expr1: expression,
  expr2: expression,
  options: answerOptionsSchema.optional(),
});
const normalizeBody = z.object({ expression });

// The tester is for whoever writes challenges: teachers and administrators.
const api = { access: 'teacher', json: true } as const;

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'The request body is not valid.';
  if (issue.code === 'invalid_type' && issue.path.length === 1)
    return `The field "${String(issue.path[0])}" is required and must be a string.`;
  return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

function equivalenceResponse(expr1: string, expr2: string, r: CheckResult) {
  return {
    equivalent: r.equivalent,
    expr1,
    expr2,
    expr1_normalized: r.normalizedExpected,
    expr2_normalized: r.normalizedSubmitted,
    kind: r.kind,
    reason: r.reason,
    detail: r.detail,
    form: r.form,
  };
}

const isAnswerForm = (v: unknown): v is AnswerForm => ANSWER_FORMS.includes(v as AnswerForm);

/** Ticked form boxes: one value arrives as a string, several as an array; unknown names are dropped. */
function tickedForms(raw: unknown, requireSimplified: unknown): AnswerForm[] {
  const list = (Array.isArray(raw) ? raw : [raw]).filter(isAnswerForm);
  // The older "requireSimplified" box still means the form "simplified".
  if (requireSimplified === 'on') list.push('simplified');
  return ANSWER_FORMS.filter((f) => list.includes(f));
}

/** The tester form without JavaScript: two expressions, the kind and list order selects, the form boxes. */
const testerForm = z
  .object({
    expr1: z
      .unknown()
      .optional()
      .transform((v) => (typeof v === 'string' ? v.slice(0, MAX_EXPRESSION) : '')),
    expr2: z
      .unknown()
      .optional()
      .transform((v) => (typeof v === 'string' ? v.slice(0, MAX_EXPRESSION) : '')),
    kind: z
      .unknown()
      .optional()
      .transform((v) => (typeof v === 'string' ? v : 'auto')),
    listOrder: z
      .unknown()
      .optional()
      .transform((v): TesterValues['listOrder'] => (v === 'ordered' ? 'ordered' : 'unordered')),
    form: z.unknown().optional(),
    requireSimplified: z.unknown().optional(),
  })
  .transform(({ form, requireSimplified, ...rest }): TesterValues => ({
    ...rest,
    form: tickedForms(form, requireSimplified),
  }));

/** The answer options the tester form asks for; options the engine does not know count as none. */
function formOptions(values: TesterValues): AnswerOptionsInput {
  const parsed = answerOptionsSchema.safeParse({
    kind: values.kind || 'auto',
    listOrder: values.listOrder,
    form: values.form,
  });
  return parsed.success ? parsed.data : {};
}

/** The JSON API under /api/math (registered without the /admin prefix). */
export async function mathApiRoutes(app: FastifyInstance): Promise<void> {
  app.post('/api/math/test-equivalence', { config: api }, async (request, reply) => {
    const parsed = equivalenceBody.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: firstIssue(parsed.error) });
    const { expr1, expr2, options } = parsed.data;
    const result = await app.math.check(expr1, expr2, options);
    return equivalenceResponse(expr1, expr2, result);
  });

  app.post('/api/math/normalize', { config: api }, async (request, reply) => {
    const parsed = normalizeBody.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: firstIssue(parsed.error) });
    const result = await app.math.normalize(parsed.data.expression);
    return { original: result.original, normalized: result.normalized, kind: result.kind, error: result.error };
  });
}

/** The tester page, under /admin. */
export async function adminMathRoutes(app: FastifyInstance): Promise<void> {
  app.get('/math', { config: { access: 'teacher' } }, async (request, reply) =>
    reply.render(
      <MathTesterPage
        ctx={viewContext(request)}
        values={{ expr1: '', expr2: '', kind: 'auto', listOrder: 'unordered', form: [] }}
      />,
    ),
  );

  // Without JavaScript the tester form posts here and the verdict comes back in the page.
  app.post(
    '/math',
    { config: { access: 'teacher', rateLimit: app.config.rateLimit.mathApi } },
    async (request, reply) => {
      const form = testerForm.safeParse(request.body);
      const values: TesterValues = form.success ? form.data : testerForm.parse({});
      if (!values.expr1 || !values.expr2) {
        return reply.render(
          <MathTesterPage ctx={viewContext(request)} values={values} error="Enter both expressions." />,
          400,
        );
      }
      const result = await app.math.check(values.expr1, values.expr2, formOptions(values));
      return reply.render(
        <MathTesterPage
          ctx={viewContext(request)}
          values={values}
          result={equivalenceResponse(values.expr1, values.expr2, result)}
        />,
      );
    },
  );
}
