// Default options as a plain object, for code that must not load zod (worker threads).
import type { AnswerOptions } from './options.js';

export const DEFAULT_ENGINE_OPTIONS: AnswerOptions = {
  kind: 'auto',
  listOrder: 'unordered',
  tolerance: { type: 'none' },
  requireSimplified: false,
  form: [],
};
