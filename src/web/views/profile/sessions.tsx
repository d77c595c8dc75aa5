import type { SessionRecord } from '../../../security/session-store.js';
import type { ViewContext } from '../context.js';
import { formatTime } from '../format-time.js';
import { CsrfField, Layout } from '../layout.js';
import { describeDevice } from './device.js';
import { ProfileNav } from './profile-nav.js';

export function SessionsPage({
  ctx,
  sessions,
  currentId,
  timeZone,
}: {
  ctx: ViewContext;
  sessions: SessionRecord[];
  currentId: string | null;
  timeZone: string;
}) {
  const others = sessions.filter((s) => s.id !== currentId).length;
  return (
    <Layout ctx={ctx} title="Your sessions">
      <h1>Where you are logged in</h1>
      <ProfileNav ctx={ctx} />
      <section class="card">
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Sessions">
          <table>
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Address</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last seen</th>
                <th scope="col"></th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr>
                  <td>{describeDevice(s.userAgent)}</td>
                  <td>{s.ip ?? '—'}</td>
                  <td>{formatTime(s.createdAt, timeZone)}</td>
                  <td>{formatTime(s.lastSeenAt, timeZone)}</td>
                  <td>
                    {s.id === currentId ? <span class="badge badge-ok">This device</span> : null}
                    {s.remember ? <span class="badge">Remembered</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <form method="post" action="/profile/sessions/revoke-others">
          <CsrfField ctx={ctx} />
          <p>
            {others === 0
              ? 'You are not logged in anywhere else.'
              : `You are logged in on ${others} other ${others === 1 ? 'device' : 'devices'}.`}
          </p>
          <button type="submit" class="secondary" disabled={others === 0}>
            Sign out everywhere else
          </button>
        </form>
      </section>
    </Layout>
  );
}
