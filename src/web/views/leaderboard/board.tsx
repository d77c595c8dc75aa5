// /leaderboard: one tab per key stage with the top of the board (shared ranks
// for ties), the board's totals, the visitor's own place, and recent activity.
// Each board ranks the pupils of its key stage; with several member schools a
// school filter narrows the board to one school's pupils.
import { KEY_STAGES, type KeyStage } from '../../../config/index.js';
import type { ActivityItem, BoardEntry, BoardStats, Standing } from '../../../domain/challenges/leaderboards.js';
import { mathProseToText } from '../../../lib/latex-text.js';
import { plural, pluralWord } from '../../../lib/plural.js';
import { SchoolTime } from '../challenges/parts.js';
import type { ViewContext } from '../context.js';
import { Layout } from '../layout.js';

export interface LeaderboardView {
  keyStage: KeyStage;
  entries: BoardEntry[];
  stats: BoardStats;
  activity: ActivityItem[];
  mine: Standing | null;
  topN: number;
  zone: string;
  /** The member schools to filter by (none shown with fewer than two), and the chosen one. */
  schools: Array<{ id: number; name: string }>;
  school: { id: number; name: string } | null;
}

export function LeaderboardPage({ ctx, v }: { ctx: ViewContext; v: LeaderboardView }) {
  const me = ctx.user?.id;
  const schoolQuery = v.school ? `&school=${v.school.id}` : '';
  return (
    <Layout ctx={ctx} title={`Leaderboard ${v.keyStage}${v.school ? ` – ${v.school.name}` : ''}`}>
      <h1>Leaderboard</h1>
      <p class="lead">
        Each board ranks the pupils of its key stage, by school year. Points from every challenge you solve count on
        your own key stage’s board.
      </p>
      {ctx.user && (
        <p>
          <a href="/leaderboard/class">Your class boards</a>: how your classes are doing.
        </p>
      )}
      <nav aria-label="Key stage boards">
        <ul class="tabs">
          {KEY_STAGES.map((ks) => (
            <li>
              <a href={`/leaderboard?ks=${ks}${schoolQuery}`} aria-current={ks === v.keyStage ? 'page' : undefined}>
                {ks}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {v.schools.length > 1 && (
        <form method="get" action="/leaderboard" class="board-filter">
          <input type="hidden" name="ks" value={v.keyStage} />
          <label for="school">School</label>{' '}
          <select id="school" name="school">
            <option value="">All schools</option>
            {v.schools.map((s) => (
              <option value={String(s.id)} selected={v.school?.id === s.id}>
                {s.name}
              </option>
            ))}
          </select>{' '}
          <button type="submit" class="button small">
            Show
          </button>
        </form>
      )}
      <section class="stats" aria-label={`${v.keyStage} in numbers`}>
        <div class="stat">
          <span class="stat-number" data-stat="participants">
            {v.stats.participants}
          </span>{' '}
          {pluralWord(v.stats.participants, 'participant')}
        </div>
        <div class="stat">
          <span class="stat-number" data-stat="points">
            {v.stats.totalPoints}
          </span>{' '}
          {pluralWord(v.stats.totalPoints, 'point')} awarded
        </div>
        <div class="stat">
          <span class="stat-number" data-stat="challenges">
            {v.stats.challengesReleased}
          </span>{' '}
          {pluralWord(v.stats.challengesReleased, 'challenge')} released
        </div>
        <div class="stat">
          <span class="stat-number" data-stat="submissions">
            {v.stats.submissions}
          </span>{' '}
          answers submitted
        </div>
      </section>
      <div class="board-layout">
        <section class="card" aria-labelledby="board-title">
          <h2 id="board-title">
            {v.keyStage} top {v.topN}
            {v.school && ` at ${v.school.name}`}
          </h2>
          {v.mine && (
            <p class="board-mine">
              Your place on this board: {v.mine.rank ? <strong>#{v.mine.rank}</strong> : 'not ranked yet'} with{' '}
              {plural(v.mine.points, 'point')} and {plural(v.mine.completed, 'challenge')} completed.
            </p>
          )}
          {v.entries.length === 0 ? (
            <p>No points on this board yet. Complete a challenge to be the first!</p>
          ) : (
            <div class="table-wrap" tabIndex={0} role="region" aria-label="Leaderboard">
              <table class="board">
                <thead>
                  <tr>
                    <th scope="col">Rank</th>
                    <th scope="col">Student</th>
                    <th scope="col">Points</th>
                    <th scope="col">Completed</th>
                  </tr>
                </thead>
                <tbody>
                  {v.entries.map((e) => (
                    <tr class={e.userId === me ? 'board-me' : undefined}>
                      <td class="board-rank">{e.rank}</td>
                      <td>
                        {e.name}
                        {e.userId === me && <span class="visually-hidden"> (you)</span>}
                      </td>
                      <td>{e.points}</td>
                      <td>{e.completed}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p class="hint">
            {v.school && `Ranks among pupils of ${v.school.name}. `}Students with equal points share a rank. Points: 3
            for the first to complete a challenge, 1 for everyone after; manual adjustments by the society count too.
          </p>
        </section>
        <section class="card" aria-labelledby="activity-title">
          <h2 id="activity-title">Recent activity</h2>
          {v.activity.length === 0 ? (
            <p>Nothing yet.</p>
          ) : (
            <ul class="activity">
              {v.activity.map((a) => (
                <li>
                  {a.name} completed «{mathProseToText(a.title)}» <strong>+{a.points}</strong>{' '}
                  <span class="muted">
                    <SchoolTime iso={a.at} zone={v.zone} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </Layout>
  );
}
