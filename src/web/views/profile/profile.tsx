import type { ProfileSummary } from '../../../domain/accounts/profile.js';
import type { CompetitionStanding } from '../../../domain/competitions/standing.js';
import { pluralWord } from '../../../lib/plural.js';
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
        <section class="card" aria-labelledby="weekly-title">
          <h2 id="weekly-title">Weekly challenges</h2>
          <WeeklyStanding summary={summary} />
          <p class="stat-line">
            <strong data-testid="challenges-completed">{summary.challengesCompleted}</strong>{' '}
            {pluralWord(summary.challengesCompleted, 'challenge')} completed
          </p>
        </section>
      </div>
      {summary.competitions.length > 0 && <CompetitionStandings competitions={summary.competitions} />}
      <section class="card">
        <h2>Recent submissions</h2>
        {summary.recent.length === 0 ? (
          <p class="muted">
            No answers yet.{' '}
            {summary.schoolKind === 'guest' ? (
              summary.competitions[0] && (
                <a href={`/competitions/${summary.competitions[0].competitionId}`}>Go to your competition</a>
              )
            ) : (
              <a href="/challenges">Try a challenge</a>
            )}
            .
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
                      <a
                        href={
                          s.competitionId === null
                            ? `/challenges/${s.challengeId}`
                            : `/competitions/${s.competitionId}/challenges/${s.challengeId}`
                        }
                      >
                        {mathProseToText(s.challengeTitle)}
                      </a>
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

/** The pupil's place on their own key stage's board, or why they are on none. */
function WeeklyStanding({ summary }: { summary: ProfileSummary }) {
  if (summary.schoolKind === 'guest')
    return (
      <p>
        The weekly challenges and their leaderboards are for member schools. {summary.schoolName} takes part in our
        competitions: your points there are below.
      </p>
    );
  const ks = summary.boardKeyStage;
  if (!ks) return <p>Leaderboards are for pupils with a school year, so this account is on none.</p>;
  const b = summary.board;
  return (
    <>
      <table>
        <thead>
          <tr>
            <th scope="col">Board</th>
            <th scope="col">Points</th>
            <th scope="col">Challenges</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">{ks}</th>
            <td>{b?.points ?? 0}</td>
            <td>{b?.completed ?? 0}</td>
          </tr>
        </tbody>
      </table>
      <p data-testid="board-rank">
        {b?.rank ? (
          <>
            Rank <strong>#{b.rank}</strong> on the <a href={`/leaderboard?ks=${ks}`}>{ks} leaderboard</a>.
          </>
        ) : (
          <>
            Not ranked on the <a href={`/leaderboard?ks=${ks}`}>{ks} leaderboard</a> yet: complete a challenge to get on
            it.
          </>
        )}{' '}
        Points from every challenge you solve count on your own key stage’s board.
      </p>
    </>
  );
}

const rankText = (rank: number | null) => (rank === null ? '—' : `#${rank}`);

function CompetitionStandings({ competitions }: { competitions: CompetitionStanding[] }) {
  return (
    <section class="card" aria-labelledby="competitions-title">
      <h2 id="competitions-title">Competitions</h2>
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Your competitions">
        <table data-testid="competition-standings">
          <thead>
            <tr>
              <th scope="col">Competition</th>
              <th scope="col">Board</th>
              <th scope="col">Points</th>
              <th scope="col">Your rank</th>
              <th scope="col">School rank</th>
            </tr>
          </thead>
          <tbody>
            {competitions.map((c) => (
              <tr>
                <th scope="row">
                  <a href={`/competitions/${c.competitionId}`}>{c.name}</a>
                  {c.phase === 'running' ? ' (running)' : c.phase === 'upcoming' ? ' (not started)' : ''}
                </th>
                <td>{c.keyStage}</td>
                <td>{c.points}</td>
                <td>{rankText(c.rank)}</td>
                <td>
                  {c.schoolName}{' '}
                  {c.schoolRank === null ? '(not ranked yet)' : `${rankText(c.schoolRank)} of ${c.schoolsRanked}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
