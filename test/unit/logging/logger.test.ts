import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { createLogger } from '../../../src/logger.js';

describe('logger', () => {
  it('writes JSON lines to LOG_FILE with secrets redacted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mathsoc-log-'));
    const file = join(dir, 'nested', 'app.log');
    const logger = createLogger(loadConfig({ APP_ENV: 'development', LOG_FILE: file, LOG_LEVEL: 'info' }));
    logger.info(
      {
        body: { email: 'a@b.org', password: 'hunter2-secret' },
        form: { _csrf: 'tok-secret', new_password: 'np-secret' },
      },
      'form received',
    );
    logger.info(
      { req: { headers: { cookie: 'mathsoc_session=cookie-secret', 'x-csrf-token': 'hdr-secret' } } },
      'request',
    );
    // The destination opens and writes asynchronously: wait for both lines.
    let text = '';
    for (let i = 0; i < 50 && text.split('\n').length < 3; i++) {
      await new Promise((r) => setTimeout(r, 50));
      logger.flush();
      text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    }
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(text).toContain('a@b.org');
    for (const secret of ['hunter2-secret', 'tok-secret', 'np-secret', 'cookie-secret', 'hdr-secret']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
    rmSync(dir, { recursive: true, force: true });
  });
});
