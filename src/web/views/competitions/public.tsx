// Public competition pages: the competition (about, dates, schools, key-stage
// boards with medals, school rankings, recent activity), its challenge list
// for participants, and the registration form.
import type { Competition, School, Challenge } from '../../../db/schema.js';
import type { CompetitionBoards } from '../../../domain/competitions/scoring.js';
import type { CompetitionPhase, Participation } from '../../../domain/competitions/competitions.js';
import { SCHOOL_YEARS } from '../../../domain/key-stage.js';
import type { PasswordRules } from '../../../domain/accounts/password-policy.js';
import { KeyStageBadge, SchoolTime } from '../challenges/parts.js';
import { RichContent } from '../content/parts.js';
import type { ViewContext } from '../context.js';
import type { FieldErrors } from '../../../lib/forms.js';
import { mathProseToText } from '../../../lib/latex-text.js';
import { ErrorSummary, PasswordField, SelectField, TextField } from '../form.js';
import { CsrfField, Layout } from '../layout.js';

const MEDAL_LABEL = { gold: '🥇 Gold', silver: '🥈 Silver', bronze: '🥉 Bronze' } as const;

export function competitionPath(c: { id: number }, current: boolean): string {
  return current ? '/competition' : `/competitions/${c.id}`;
}

export interface CompetitionPageData {
  competition: Competition;
  phase: CompetitionPhase;
  schools: School[];
  boards: CompetitionBoards;
  participation: Participation | null;
  /** The signed-in user may join with the join button (email domain of one of the schools). */
  canJoin: boolean;
  others: Competition[];
  zone: string;
}

export function CompetitionPage({ ctx, d }: { ctx: ViewContext; d: CompetitionPageData }) {
  const c = d.competition;
  return (
    <Layout ctx={ctx} title={c.name}>
      <article class="competition">
        <h1>{c.name}</h1>
        <p class="muted">
          {d.phase === 'upcoming' ? 'Starts' : 'Started'} <SchoolTime iso={c.starts_at} zone={d.zone} /> ·{' '}
          {d.phase === 'ended' ? 'Ended' : 'Ends'} <SchoolTime iso={c.ends_at} zone={d.zone} />
        </p>
        {c.about_html && <RichContent html={c.about_html} />}
        <p>
          <a href="/competition/about">More about the competition</a>
        </p>
        {d.participation ? (
          <div class="flash flash-success" role="status">
            You take part for {d.participation.schoolName} in {d.participation.keyStage}.{' '}
            <a href={`/competitions/${c.id}/challenges`}>Go to the competition challenges</a>
          </div>
        ) : (
          d.phase !== 'ended' &&
          (ctx.user ? (
            d.canJoin ? (
              <form method="post" action="/competition/join" class="inline">
                <CsrfField ctx={ctx} />
                <input type="hidden" name="competition_id" value={String(c.id)} />
                <button type="submit">Join the competition</button>
              </form>
            ) : (
              <p class="muted">
                Competitions are for students of the participating schools, with their school email address.
              </p>
            )
          ) : (
            <p>
              <a class="button" href={`/competition/register?competition=${c.id}`}>
                Register for the competition
              </a>{' '}
              or <a href={`/login?next=/competitions/${c.id}`}>log in</a> to join with your account.
            </p>
          ))
        )}
        <section aria-labelledby="schools-title">
          <h2 id="schools-title">Participating schools</h2>
          {d.schools.length === 0 ? (
            <p class="muted">No schools have been added yet.</p>
          ) : (
            <ul class="school-list">
              {d.schools.map((s) => (
                <li>{s.name}</li>
              ))}
            </ul>
          )}
        </section>
      </article>
      {d.boards.boards.map((b) => (
        <section class="card competition-board" aria-labelledby={`board-${b.keyStage}`}>
          <h2 id={`board-${b.keyStage}`}>{b.keyStage} leaderboard</h2>
          <p class="muted">Pupils appear here once they have scored a point.</p>
          {b.top.length === 0 ? (
            <p class="muted">No points yet.</p>
          ) : (
            <div class="table-wrap" tabIndex={0} role="region" aria-label={`${b.keyStage} leaderboard`}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Rank</th>
                    <th scope="col">Name</th>
                    <th scope="col">School</th>
                    <th scope="col">Points</th>
                    <th scope="col">Challenges</th>
                  </tr>
                </thead>
                <tbody>
                  {b.top.map((e) => (
                    <tr class={e.medal ? `medal-${e.medal}` : undefined}>
                      <td>
                        {e.rank}
                        {e.medal && <span class="medal"> {MEDAL_LABEL[e.medal]}</span>}
                      </td>
                      <td>{e.name}</td>
                      <td>{e.school}</td>
                      <td>{e.points}</td>
                      <td>{e.completed}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h3>{b.keyStage} school rankings</h3>
          {b.schools.length === 0 ? (
            <p class="muted">No participants yet.</p>
          ) : (
            <div class="table-wrap" tabIndex={0} role="region" aria-label={`${b.keyStage} school rankings`}>
              <table class="school-rankings">
                <thead>
                  <tr>
                    <th scope="col">Rank</th>
                    <th scope="col">School</th>
                    <th scope="col">Total points</th>
                    <th scope="col">Pupils with points</th>
                    <th scope="col">Registered</th>
                    <th scope="col">Average per registered pupil</th>
                  </tr>
                </thead>
                <tbody>
                  {b.schools.map((s) => (
                    <tr>
                      <td>{s.rank}</td>
                      <td>{s.school}</td>
                      <td>{s.points}</td>
                      <td>{s.scoring}</td>
                      <td>{s.participants}</td>
                      <td>{s.average.toFixed(1)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ))}
      <section class="card" aria-labelledby="activity-title">
        <h2 id="activity-title">Recent activity</h2>
        {d.boards.activity.length === 0 ? (
          <p class="muted">Nothing yet.</p>
        ) : (
          <ul class="activity">
            {d.boards.activity.map((a) => (
              <li>
                {a.name} ({a.school}) completed «{mathProseToText(a.title)}» <KeyStageBadge keyStage={a.keyStage} /> +
                {a.points} · <SchoolTime iso={a.at} zone={d.zone} />
              </li>
            ))}
          </ul>
        )}
      </section>
      {d.others.length > 0 && (
        <section aria-labelledby="others-title">
          <h2 id="others-title">Other competitions</h2>
          <ul>
            {d.others.map((o) => (
              <li>
                <a href={`/competitions/${o.id}`}>{o.name}</a>
              </li>
            ))}
          </ul>
        </section>
      )}
    </Layout>
  );
}

export function NoCompetitionPage({ ctx }: { ctx: ViewContext }) {
  return (
    <Layout ctx={ctx} title="Competition">
      <h1>Competition</h1>
      <p>
        There is no competition at the moment. <a href="/competition/about">Read about the competition</a>.
      </p>
    </Layout>
  );
}

export interface ChallengeListItem {
  challenge: Challenge;
  locked: boolean;
  closesAt: string | null;
  completed: boolean;
}

export function CompetitionChallengesPage({
  ctx,
  competition,
  items,
  participation,
  isAdmin,
  zone,
}: {
  ctx: ViewContext;
  competition: Competition;
  items: ChallengeListItem[];
  participation: Participation | null;
  isAdmin: boolean;
  zone: string;
}) {
  return (
    <Layout ctx={ctx} title={`${competition.name}: challenges`}>
      <p>
        <a href={`/competitions/${competition.id}`}>← {competition.name}</a>
      </p>
      <h1>{competition.name}: challenges</h1>
      {participation ? (
        <p>
          You take part for {participation.schoolName} in {participation.keyStage}: you can answer the{' '}
          {participation.keyStage} challenges.
        </p>
      ) : isAdmin ? (
        <p class="flash flash-info" role="status">
          Admin view: every challenge is listed, scheduled ones too. Your tries are never scored.
        </p>
      ) : (
        <p class="flash flash-info" role="status">
          Only registered participants can answer these challenges.{' '}
          <a href={`/competition/register?competition=${competition.id}`}>Register</a> or join from the competition
          page.
        </p>
      )}
      {items.length === 0 ? (
        <p class="muted">No challenges have been released yet.</p>
      ) : (
        <ul class="challenge-cards">
          {items.map((i) => (
            <li class="card">
              <h2>
                <a href={`/competitions/${competition.id}/challenges/${i.challenge.id}`}>
                  {mathProseToText(i.challenge.title)}
                </a>
              </h2>
              <p>
                <KeyStageBadge keyStage={i.challenge.key_stage} />{' '}
                {i.locked ? (
                  <span class="badge badge-locked">Closed</span>
                ) : (
                  i.closesAt && (
                    <span class="muted">
                      closes <SchoolTime iso={i.closesAt} zone={zone} />
                    </span>
                  )
                )}
                {i.completed && <span class="badge badge-ok"> Completed</span>}
              </p>
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}

export interface RegisterData {
  competition: Competition;
  schools: School[];
  values?: Record<string, string>;
  errors?: FieldErrors;
  existingAccount?: boolean;
  rules: PasswordRules;
  closed: string | null;
}

export function CompetitionRegisterPage({ ctx, d }: { ctx: ViewContext; d: RegisterData }) {
  const values = d.values ?? {};
  const next = `/competitions/${d.competition.id}`;
  return (
    <Layout ctx={ctx} title={`Register for ${d.competition.name}`}>
      <section class="card narrow">
        <h1>Register for {d.competition.name}</h1>
        {d.closed ? (
          <p>{d.closed}</p>
        ) : d.schools.length === 0 ? (
          <p>No schools have been added to this competition yet.</p>
        ) : (
          <>
            <p class="muted">
              Already have an account? <a href={`/login?next=${encodeURIComponent(next)}`}>Log in</a>, then press “Join
              the competition” on the competition page.
            </p>
            {d.existingAccount && (
              <div class="flash flash-info" role="status">
                This email address already has an account.{' '}
                <a href={`/login?next=${encodeURIComponent(next)}`}>Log in</a> and join the competition with one click.
              </div>
            )}
            <ErrorSummary errors={d.errors} />
            <form method="post" action={`/competition/register?competition=${d.competition.id}`} novalidate>
              <CsrfField ctx={ctx} />
              <SelectField
                name="school_id"
                label="School"
                value={values.school_id}
                errors={d.errors}
                required
                placeholder="Choose your school"
                options={d.schools.map((s) => [String(s.id), s.name])}
              />
              <TextField
                name="first_name"
                label="First name"
                value={values.first_name}
                errors={d.errors}
                required
                autocomplete="given-name"
                maxLength={50}
              />
              <TextField
                name="last_name"
                label="Last name"
                value={values.last_name}
                errors={d.errors}
                required
                autocomplete="family-name"
                maxLength={50}
              />
              <TextField
                name="email"
                label="School email"
                type="email"
                value={values.email}
                errors={d.errors}
                required
                autocomplete="email"
                hint="Your address at the school you chose: its ending must be exactly the school’s email domain."
              />
              <SelectField
                name="year_group"
                label="School year"
                value={values.year_group}
                errors={d.errors}
                required
                placeholder="Choose your year"
                options={SCHOOL_YEARS.map((y) => [String(y), `Year ${y}`])}
              />
              <PasswordField
                name="password"
                label="Password"
                errors={d.errors}
                autocomplete="new-password"
                minLength={d.rules.minLength}
                maxLength={d.rules.maxLength}
                hint={`At least ${d.rules.minLength} characters.`}
              />
              <PasswordField
                name="password_confirm"
                label="Confirm password"
                errors={d.errors}
                autocomplete="new-password"
                maxLength={d.rules.maxLength}
              />
              <button type="submit">Register</button>
            </form>
          </>
        )}
      </section>
    </Layout>
  );
}
