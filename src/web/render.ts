import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { withSchoolZone } from './views/school-zone.js';

/** The page as HTML; components that show dates read the school's time zone (schoolZone()). */
export function renderPage(page: VNode, timeZone?: string): string {
  const html = () => `<!doctype html>${renderToString(page)}`;
  return timeZone ? withSchoolZone(timeZone, html) : html();
}

export const renderPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorateReply('render', function (this: FastifyReply, page: VNode, status = 200) {
      return this.code(status).type('text/html; charset=utf-8').send(renderPage(page, app.config.school.timeZone));
    });
  },
  { name: 'mathsoc-render' },
);
