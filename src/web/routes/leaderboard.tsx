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
import { TtlCache } from '../../lib/ttl-cache.js';
import { queryValue } from '../params.js';
import { viewContext } from '../views/context.js';
import { LeaderboardPage } from '../views/leaderboard/board.js';

const ACTIVITY_ITEMS = 10;

export async function leaderboardRoutes(app: FastifyInstance): Promise<void> {
  // What every visitor sees alike, for PUBLIC_CACHE_SECONDS (docs/performance.md).
  const visibility = boardVisibility(app.config);
  const publicBoard = new TtlCache<KeyStage, [BoardEntry[], BoardStats, ActivityItem[]]>(
    app.config.publicCache.seconds * 1000,
  );

  app.get('/leaderboard', { config: { access: 'public', personal: true } }, async (request, reply) => {
    const user = request.user;
    const ks = queryValue(request, 'ks');
    const keyStage: KeyStage = isKeyStage(ks) ? ks : (user?.keyStage ?? 'KS3');
    const now = new Date().toISOString();
    const topN = app.config.leaderboard.topN;
    const [[entries, stats, activity], standings] = await Promise.all([
      publicBoard.get(keyStage, () =>
        Promise.all([
          topOfBoard(app.db, keyStage, topN, visibility),
          boardStats(app.db, keyStage, now, visibility),
          recentActivity(app.db, keyStage, ACTIVITY_ITEMS, visibility),
        ]),
      ),
      user ? userStandings(app.db, user.id, visibility) : Promise.resolve([]),
    ]);
    const mine = standings.find((s) => s.keyStage === keyStage) ?? null;
    return reply.render(
      <LeaderboardPage
        ctx={viewContext(request)}
        v={{ keyStage, entries, stats, activity, mine, topN, zone: app.config.school.timeZone }}
      />,
    );
  });
}
