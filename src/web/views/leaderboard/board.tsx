// /leaderboard: one tab per key stage with the top of the board (shared ranks
// for ties), the board's totals, the visitor's own place, and recent activity.
import { KEY_STAGES, type KeyStage } from '../../../config/index.js';
import type { ActivityItem, BoardEntry, BoardStats, Standing } from '../../../domain/challenges/leaderboards.js';
import { mathProseToText } from '../../../lib/latex-text.js';
import { plural, SchoolTime } from '../challenges/parts.js';
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
}

export function LeaderboardPage({ ctx, v }: { ctx: ViewContext; v: LeaderboardView }) {
  const me = ctx.user?.id;
  return (
    <Layout ctx={ctx} title={`Leaderboard ${v.keyStage}`}>
      <h1>Leaderboard</h1>
      <nav aria-label="Key stage boards">
        <ul class="tabs">
          {KEY_STAGES.map((ks) => (
            <li>
              <a href={`/leaderboard?ks=${ks}`} aria-current={ks === v.keyStage ? 'page' : undefined}>
                {ks}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <section class="stats" aria-label={`${v.keyStage} in numbers`}>
        <div class="stat">
          <span class="stat-number" data-stat="participants">
            {v.stats.participants}
          </span>{' '}
          participants
        </div>
        <div class="stat">
          <span class="stat-number" data-stat="points">
            {v.stats.totalPoints}
          </span>{' '}
          points awarded
        </div>
        <div class="stat">
          <span class="stat-number" data-stat="challenges">
            {v.stats.challengesReleased}
          </span>{' '}
          challenges released
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
            Students with equal points share a rank. Points: 3 for the first to complete a challenge, 1 for everyone
            after; manual adjustments by the society count too.
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
