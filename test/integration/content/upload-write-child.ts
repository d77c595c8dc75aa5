// Run by upload-failures.test.ts in a child process whose file size limit
// (ulimit -f) is smaller than the upload, so writing the file fails part-way,
// as on a full disk. Uploads one image as an admin and prints what happened.
import { createTestApp } from '../../helpers/app.js';
import { png } from '../../unit/content/sample-files.js';
import { postMultipart } from './multipart.js';

const t = await createTestApp('sqlite', { UPLOAD_DIR: process.env.UPLOAD_DIR!, MAX_UPLOAD_MB: '8' });
try {
  const admin = await t.createUser({ isAdmin: true });
  const client = t.client();
  await client.loginAs(admin);
  const res = await postMultipart(
    t,
    client,
    '/admin/uploads/image',
    {},
    [{ field: 'file', name: 'big.png', data: png(2, 2, 3 * 1024 * 1024), type: 'image/png' }],
    { csrf: 'header' },
  );
  const rows = await t.db.selectFrom('uploads').select('id').execute();
  process.stdout.write(`${JSON.stringify({ status: res.statusCode, body: res.body, rows: rows.length })}\n`);
} finally {
  await t.close();
}
