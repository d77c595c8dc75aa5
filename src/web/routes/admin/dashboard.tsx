// /admin: the numbers that matter this week and a link to every admin area.
import type { FastifyInstance } from 'fastify';
import { dashboardCounts } from '../../../domain/admin-dashboard.js';
import { cspReportSummary } from '../../../security/csp-report.js';
import { viewContext } from '../../views/context.js';
import { DashboardPage } from '../../views/admin/dashboard.js';

export async function adminDashboardRoutes(app: FastifyInstance): Promise<void> {
  app.get('', { config: { access: 'admin' } }, async (request, reply) => {
    const [counts, csp] = await Promise.all([dashboardCounts(app.db), cspReportSummary(app)]);
    return reply.render(<DashboardPage ctx={viewContext(request)} counts={counts} csp={csp} />);
  });
}
