// The public key-stage leaderboards, served from the maintained scores table.
import type { FastifyInstance } from 'fastify';
import type { KeyStage } from '../../config/index.js';
import { isKeyStage } from '../../domain/key-stage.js';
import { boardVisibility } from '../../domain/accounts/board-visibility.js';
import {
  boardStats,
  recentActivity,
  topOfBoard,
  userStandings,
  type ActivityItem,
  type BoardEntry,
  type BoardStats,
} from '../../domain/challenges/leaderboards.js';
import { memberSchools } from '../../domain/schools.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import { parseId, queryValue } from '../params.js';
import { viewContext } from '../views/context.js';
import { LeaderboardPage } from '../views/leaderboard/board.js';

const ACTIVITY_ITEMS = 10;

export async function leaderboardRoutes(app: FastifyInstance): Promise<void> {
  // What every visitor sees alike, for PUBLIC_CACHE_SECONDS (docs/performance.md).
  const visibility = boardVisibility(app.config);
  // Keyed by board and school filter ("KS3:" for every school).
  const publicBoard = new TtlCache<string, [BoardEntry[], BoardStats, ActivityItem[]]>(
    app.config.publicCache.seconds * 1000,
  );

  app.get('/leaderboard', { config: { access: 'public', personal: true } }, async (request, reply) => {
    const user = request.user;
    const ks = queryValue(request, 'ks');
    const keyStage: KeyStage = isKeyStage(ks) ? ks : (user?.keyStage ?? 'KS3');
    const now = new Date().toISOString();
    const topN = app.config.leaderboard.topN;
    // The school filter: only member schools, and only when there are several; anything else is every school.
    const schools = (await memberSchools(app.db)).map((s) => ({ id: s.id, name: s.name }));
    const wanted = parseId(queryValue(request, 'school'));
    const school = schools.length > 1 ? (schools.find((s) => s.id === wanted) ?? null) : null;
    const schoolId = school?.id ?? null;
    const [[entries, stats, activity], standings] = await Promise.all([
      publicBoard.get(`${keyStage}:${schoolId ?? ''}`, () =>
        Promise.all([
          topOfBoard(app.db, keyStage, topN, visibility, schoolId),
          boardStats(app.db, keyStage, now, visibility, schoolId),
          recentActivity(app.db, keyStage, ACTIVITY_ITEMS, visibility, schoolId),
        ]),
      ),
      user ? userStandings(app.db, user.id, visibility) : Promise.resolve([]),
    ]);
    const mine = standings.find((s) => s.keyStage === keyStage) ?? null;
    return reply.render(
      <LeaderboardPage
        ctx={viewContext(request)}
        v={{ keyStage, entries, stats, activity, mine, topN, zone: app.config.school.timeZone, schools, school }}
      />,
    );
  });
}
