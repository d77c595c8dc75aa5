import type { ProfileSummary } from '../../../domain/accounts/profile.js';
import { mathProseToText } from '../../../lib/latex-text.js';
import type { ViewContext } from '../context.js';
import { formatTime } from '../format-time.js';
import { Layout } from '../layout.js';
import { MathAnswer } from '../math-answer.js';
import { ProfileNav } from './profile-nav.js';

export function ProfilePage({
  ctx,
  summary,
  timeZone,
}: {
  ctx: ViewContext;
  summary: ProfileSummary;
  timeZone: string;
}) {
  const u = summary.user;
  return (
    <Layout ctx={ctx} title="Your profile" styles={['katex.css']}>
      <h1>
        {u.first_name} {u.last_name}
      </h1>
      <ProfileNav ctx={ctx} />
      <div class="grid">
        <section class="card">
          <h2>Details</h2>
          <dl class="details">
            <dt>Name</dt>
            <dd>
              {u.first_name} {u.last_name}
            </dd>
            <dt>Email</dt>
            <dd>{u.email}</dd>
            <dt>School year</dt>
            <dd>{u.year_group === null ? '—' : `Year ${u.year_group}`}</dd>
            <dt>Key stage</dt>
            <dd>{u.key_stage ?? '—'}</dd>
            <dt>Maths class</dt>
            <dd>{u.maths_class ?? '—'}</dd>
            <dt>School</dt>
            <dd>{summary.schoolName ?? '—'}</dd>
            <dt>Member since</dt>
            <dd>{formatTime(u.created_at, timeZone)}</dd>
          </dl>
          <p>
            <a href="/profile/data.json" download>
              Download my data (JSON)
            </a>
          </p>
        </section>
        <section class="card">
          <h2>Points</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Key stage</th>
                <th scope="col">Points</th>
                <th scope="col">Challenges</th>
              </tr>
            </thead>
            <tbody>
              {summary.points.map((p) => (
                <tr>
                  <th scope="row">{p.keyStage}</th>
                  <td>{p.points}</td>
                  <td>{p.challengesCompleted}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                <td>{summary.totalPoints}</td>
                <td></td>
              </tr>
            </tfoot>
          </table>
          <p class="stat-line">
            <strong data-testid="challenges-completed">{summary.challengesCompleted}</strong> challenges completed
          </p>
        </section>
      </div>
      <section class="card">
        <h2>Recent submissions</h2>
        {summary.recent.length === 0 ? (
          <p class="muted">
            No answers yet. <a href="/challenges">Try a challenge</a>.
          </p>
        ) : (
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Recent submissions">
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Challenge</th>
                  <th scope="col">Box</th>
                  <th scope="col">Answer</th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                {summary.recent.map((s) => (
                  <tr>
                    <td>{formatTime(s.createdAt, timeZone)}</td>
                    <td>
                      <a href={`/challenges/${s.challengeId}`}>{mathProseToText(s.challengeTitle)}</a>
                    </td>
                    <td>{s.boxLabel ? mathProseToText(s.boxLabel) : `Box ${s.boxPosition}`}</td>
                    <td>
                      <MathAnswer latex={s.answer} />
                    </td>
                    <td>
                      {s.isCorrect ? (
                        <span class="badge badge-ok">✓ Correct</span>
                      ) : (
                        <span class="badge">✗ Not right</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Layout>
  );
}
