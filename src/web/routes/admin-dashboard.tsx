// /admin: the numbers that matter this week and a link to every admin area.
import type { FastifyInstance } from 'fastify';
import { dashboardCounts } from '../../domain/admin-dashboard.js';
import { viewContext } from '../views/context.js';
import { DashboardPage } from '../views/admin/dashboard.js';

export async function adminDashboardRoutes(app: FastifyInstance): Promise<void> {
  app.get('/admin', { config: { access: 'admin' } }, async (request, reply) =>
    reply.render(<DashboardPage ctx={viewContext(request)} counts={await dashboardCounts(app.db)} />));
}
