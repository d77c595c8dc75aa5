// Multipart requests for the content tests: the browser's FormData encoding
// (built by undici's Request), sent through app.inject with the client's cookies.
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp, TestClient } from '../../helpers/app.js';

export interface FilePart {
  field: string;
  name: string;
  data: Buffer;
  type?: string;
}

export async function postMultipart(
  t: TestApp,
  client: TestClient,
  url: string,
  fields: Record<string, string>,
  files: FilePart[] = [],
  opts: { csrf?: 'field' | 'header' | false; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  const form = new FormData();
  const mode = opts.csrf ?? 'field';
  const token = mode === false ? null : await client.csrfToken();
  // The token goes first, as in the platform's forms.
  if (token && mode === 'field') form.append('_csrf', token);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files)
    form.append(f.field, new Blob([new Uint8Array(f.data)], { type: f.type ?? 'application/octet-stream' }), f.name);
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  const payload = Buffer.from(await req.arrayBuffer());
  const headers: Record<string, string> = { 'content-type': req.headers.get('content-type')!, ...opts.headers };
  if (token && mode === 'header') headers['x-csrf-token'] = token;
  if (client.cookies.size) headers.cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return t.app.inject({ method: 'POST', url, headers, payload });
}
