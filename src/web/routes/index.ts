// Every area's routes, one plugin each.
import type { FastifyInstance } from 'fastify';
import { healthRoutes } from './health.js';
import { homeRoutes } from './home.js';
import { staticRoutes } from './static.js';

export async function registerRoutes(app: FastifyInstance): Promise<void> {
  await app.register(healthRoutes);
  await app.register(staticRoutes);
  await app.register(homeRoutes);
}
