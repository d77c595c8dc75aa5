import type { FastifyInstance } from 'fastify';
import { homeData } from '../../domain/home.js';
import { viewContext } from '../views/context.js';
import { HomePage } from '../views/home.js';

export async function homeRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', { config: { access: 'public' } }, async (request, reply) => {
    const data = await homeData(app.db);
    return reply.render(<HomePage ctx={viewContext(request)} data={data} />);
  });
}
