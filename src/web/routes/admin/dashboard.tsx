// /admin: the numbers that matter this week and a link to every admin area. A teacher gets the
// teaching dashboard: the challenge numbers and the areas a teacher may use, nothing about
// accounts, content or the server (ADR 032).
import type { FastifyInstance } from 'fastify';
import { dashboardCounts, teachingCounts } from '../../../domain/admin-dashboard.js';
import { cspReportSummary } from '../../../security/csp-report.js';
import { viewContext } from '../../views/context.js';
import { DashboardPage, TeacherDashboardPage } from '../../views/admin/dashboard.js';

export async function adminDashboardRoutes(app: FastifyInstance): Promise<void> {
  app.get('', { config: { access: 'teacher' } }, async (request, reply) => {
    if (request.user!.role !== 'admin') {
      const counts = await teachingCounts(app.db);
      return reply.render(<TeacherDashboardPage ctx={viewContext(request)} counts={counts} />);
    }
    const [counts, csp] = await Promise.all([dashboardCounts(app.db), cspReportSummary(app)]);
    return reply.render(<DashboardPage ctx={viewContext(request)} counts={counts} csp={csp} />);
  });
}
