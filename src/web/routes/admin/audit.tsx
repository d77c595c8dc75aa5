// The audit log page: who did what, to which record, when and from where.
import type { FastifyInstance } from 'fastify';
import { auditActions, auditQuerySchema, auditTargetTypes, listAudit } from '../../../domain/audit-log.js';
import { parseQuery } from '../../params.js';
import { viewContext } from '../../views/context.js';
import { AuditPageView } from '../../views/admin/audit.js';

export async function adminAuditRoutes(app: FastifyInstance): Promise<void> {
  app.get('/audit', { config: { access: 'admin' } }, async (request, reply) => {
    const query = parseQuery(request, auditQuerySchema);
    const [result, actions, targetTypes] = await Promise.all([
      listAudit(app.db, query),
      auditActions(app.db),
      auditTargetTypes(app.db),
    ]);
    return reply.render(
      <AuditPageView
        ctx={viewContext(request)}
        query={{ ...query, page: result.page }}
        result={result}
        actions={actions}
        targetTypes={targetTypes}
        timeZone={app.config.school.timeZone}
      />,
    );
  });
}
