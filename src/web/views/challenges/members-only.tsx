// What a pupil of a guest school (invited to competitions only) sees at the
// weekly challenges: who they are for, and the way to their own competition.
import type { WeeklyAccess } from '../../../domain/competitions/standing.js';
import { namesInWords } from '../../../domain/schools.js';
import type { ViewContext } from '../context.js';
import { Layout } from '../layout.js';

export function MembersOnlyPage({
  ctx,
  access,
}: {
  ctx: ViewContext;
  access: Extract<WeeklyAccess, { kind: 'guest' }>;
}) {
  const members = namesInWords(access.members);
  const current = access.competitions.find((c) => c.phase !== 'ended') ?? access.competitions[0];
  return (
    <Layout ctx={ctx} title="Weekly challenges are for members">
      <h1>The weekly challenges are for members</h1>
      <p class="lead">
        The weekly challenges and their leaderboards are for pupils of {members || 'our member schools'}. You joined
        through {access.school}, which takes part in our competitions.
      </p>
      {current ? (
        <p class="card">
          Your competition is <a href={`/competitions/${current.competitionId}`}>{current.name}</a>
          {current.phase === 'running' && (
            <>
              {' '}
              — <a href={`/competitions/${current.competitionId}/challenges`}>go to its challenges</a>
            </>
          )}
          .
        </p>
      ) : (
        <p class="card">
          See the <a href="/competition">competition page</a> for the competitions your school takes part in.
        </p>
      )}
    </Layout>
  );
}
