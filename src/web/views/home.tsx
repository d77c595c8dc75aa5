import type { CompetitionStanding } from '../../domain/competitions/standing.js';
import type { HomeData, HomeForUser } from '../../domain/home.js';
import { mathProseToText } from '../../lib/latex-text.js';
import { plural, pluralWord } from '../../lib/plural.js';
import type { ViewContext } from './context.js';
import { AnnouncementBody } from './content/announcements.js';
import { ArticleCard, articleUrl } from './content/articles.js';
import { Day } from './content/parts.js';
import { Layout } from './layout.js';

export function HomePage({ ctx, data, mine }: { ctx: ViewContext; data: HomeData; mine: HomeForUser | null }) {
  const { stats, announcement, newsletter, challenges, articles } = data;
  const weekly = !mine || mine.weekly;
  return (
    <Layout ctx={ctx} title="Home" styles={['katex.css']}>
      <section class="hero">
        <h1>Maths Society</h1>
        <p class="lead">
          A new challenge every week. Type your answer, see if it is right, and climb your key stage’s leaderboard.
        </p>
        {mine && mine.competitions.length > 0 && <YourCompetitions competitions={mine.competitions} />}
        <p>
          {ctx.user ? (
            weekly ? (
              <a class="button" href="/challenges">
                See this week’s challenges
              </a>
            ) : (
              mine?.competitions.length === 0 && (
                <a class="button" href="/competition">
                  See the competition
                </a>
              )
            )
          ) : (
            <>
              <a class="button" href="/register">
                Join the society
              </a>{' '}
              <a class="button secondary" href="/login">
                Log in
              </a>
            </>
          )}
        </p>
      </section>
      <section class="stats" aria-label="Society in numbers">
        <div class="stat">
          <span class="stat-number">{stats.releasedChallenges}</span>{' '}
          {pluralWord(stats.releasedChallenges, 'challenge set', 'challenges set')}
        </div>
        <div class="stat">
          <span class="stat-number">{stats.articles}</span> {pluralWord(stats.articles, 'article')}
        </div>
        <div class="stat">
          <span class="stat-number">{stats.members}</span> {pluralWord(stats.members, 'member')}
        </div>
      </section>

      <div class="home-columns">
        <section class="card home-announcement" aria-labelledby="home-announcement-title">
          <h2 id="home-announcement-title" class="section-title">
            Latest announcement
          </h2>
          {announcement ? (
            <AnnouncementBody announcement={announcement} heading="h3" />
          ) : (
            <p class="muted">No announcements yet.</p>
          )}
          <p>
            <a href="/announcements">All announcements</a>
          </p>
        </section>
        <section class="card home-newsletter" aria-labelledby="home-newsletter-title">
          <h2 id="home-newsletter-title" class="section-title">
            Latest newsletter
          </h2>
          {newsletter ? (
            <>
              <h3 class="card-title">
                <a href={articleUrl(newsletter)}>{newsletter.title}</a>
              </h3>
              <p class="muted byline">
                {newsletter.author_name} · <Day iso={newsletter.published_at} />
              </p>
            </>
          ) : (
            <p class="muted">No newsletters yet.</p>
          )}
          <p>
            <a href="/newsletters">All newsletters</a>
          </p>
        </section>
      </div>

      <section aria-labelledby="home-challenges-title">
        <h2 id="home-challenges-title">Newest challenges</h2>
        {challenges.length === 0 ? (
          <p class="muted">The first challenge is on its way.</p>
        ) : (
          <div class="grid">
            {challenges.map((c) => (
              <article class="card challenge-card">
                <h3 class="card-title">
                  <a href={`/challenges/${c.id}`}>{mathProseToText(c.title)}</a>
                </h3>
                <p class="muted">
                  <span class="badge">{c.keyStage}</span> · <Day iso={c.releaseAt} />
                </p>
              </article>
            ))}
          </div>
        )}
      </section>

      <section aria-labelledby="home-articles-title">
        <h2 id="home-articles-title">Newest articles</h2>
        {articles.length === 0 ? (
          <p class="muted">No articles yet.</p>
        ) : (
          articles.map((a) => <ArticleCard article={a} heading="h3" />)
        )}
        <p>
          <a href="/articles">All articles</a>
        </p>
      </section>
    </Layout>
  );
}

/** A competition pupil's way to their running (or next) competitions. */
function YourCompetitions({ competitions }: { competitions: CompetitionStanding[] }) {
  return (
    <div class="card home-competitions" data-testid="your-competitions">
      <h2 class="section-title">{competitions.length === 1 ? 'Your competition' : 'Your competitions'}</h2>
      <ul>
        {competitions.map((c) => (
          <li>
            <a
              href={
                c.phase === 'running'
                  ? `/competitions/${c.competitionId}/challenges`
                  : `/competitions/${c.competitionId}`
              }
            >
              {c.name}
            </a>{' '}
            {c.phase === 'running'
              ? `is running: ${plural(c.points, 'point')} so far${c.rank ? `, rank #${c.rank} in ${c.keyStage}` : ''}.`
              : 'has not started yet.'}
          </li>
        ))}
      </ul>
    </div>
  );
}
