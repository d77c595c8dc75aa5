import type { FastifyInstance } from 'fastify';
import { boardVisibility } from '../../domain/accounts/board-visibility.js';
import { homeData, homeForUser, type HomeData } from '../../domain/home.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import { viewContext } from '../views/context.js';
import { HomePage } from '../views/home.js';

export async function homeRoutes(app: FastifyInstance): Promise<void> {
  // The same for every visitor: held for PUBLIC_CACHE_SECONDS (docs/performance.md).
  const cache = new TtlCache<'home', HomeData>(app.config.publicCache.seconds * 1000);
  const visibility = boardVisibility(app.config);

  app.get('/', { config: { access: 'public' } }, async (request, reply) => {
    const now = new Date().toISOString();
    const [data, mine] = await Promise.all([
      cache.get('home', () => homeData(app.db, now, visibility)),
      request.user ? homeForUser(app.db, request.user, now) : Promise.resolve(null),
    ]);
    return reply.render(<HomePage ctx={viewContext(request)} data={data} mine={mine} />);
  });
}
