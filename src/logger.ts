// pino logger options: JSON lines on stdout (containers) or appended to a file.
// Secrets never reach a log line: the paths below are redacted wherever they appear.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';
import type { Config } from './config/index.js';

export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.password_confirm',
  '*.new_password',
  '*.current_password',
  '*.password_hash',
  '*.token',
  '*.csrf_token',
  '*._csrf',
  '*.secret',
  '*.secretKey',
  'body.password',
];

export function createLogger(config: Config): pino.Logger {
  const options: pino.LoggerOptions = {
    level: config.log.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { app: 'mathsoc', profile: config.profile },
  };
  if (config.log.toStdout) return pino(options);
  mkdirSync(dirname(config.log.file), { recursive: true });
  return pino(options, pino.destination({ dest: config.log.file, mkdir: true, sync: false }));
}
