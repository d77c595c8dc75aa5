import type { HomeStats } from '../../domain/home.js';
import type { ViewContext } from './context.js';
import { Layout } from './layout.js';

export function HomePage({ ctx, stats }: { ctx: ViewContext; stats: HomeStats }) {
  return (
    <Layout ctx={ctx} title="Home">
      <section class="hero">
        <h1>Maths Society</h1>
        <p class="lead">A new challenge every week. Type your answer, see if it is right, and climb your key stage’s leaderboard.</p>
        <p>
          {ctx.user
            ? <a class="button" href="/challenges">See this week’s challenges</a>
            : <><a class="button" href="/register">Join the society</a> <a class="button secondary" href="/login">Log in</a></>}
        </p>
      </section>
      <section class="stats" aria-label="Society in numbers">
        <div class="stat"><span class="stat-number">{stats.releasedChallenges}</span> challenges set</div>
        <div class="stat"><span class="stat-number">{stats.articles}</span> articles</div>
        <div class="stat"><span class="stat-number">{stats.members}</span> members</div>
      </section>
    </Layout>
  );
}
