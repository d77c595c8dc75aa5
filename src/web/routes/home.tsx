import type { FastifyInstance } from 'fastify';
import { viewContext } from '../views/context.js';
import { HomePage } from '../views/home.js';
import { homeStats } from '../../domain/home.js';

export async function homeRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', { config: { access: 'public' } }, async (request, reply) => {
    const stats = await homeStats(app.db);
    return reply.render(<HomePage ctx={viewContext(request)} stats={stats} />);
  });
}
