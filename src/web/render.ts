import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { h, type VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { SchoolZone } from './views/school-zone.js';

/** The page as HTML; components that show dates read the school's time zone from SchoolZone. */
export function renderPage(page: VNode, timeZone?: string): string {
  const tree: VNode = timeZone ? (h(SchoolZone.Provider, { value: timeZone }, page) as VNode) : page;
  return `<!doctype html>${renderToString(tree)}`;
}

export const renderPlugin = fp(async (app: FastifyInstance) => {
  app.decorateReply('render', function (this: FastifyReply, page: VNode, status = 200) {
    return this.code(status).type('text/html; charset=utf-8').send(renderPage(page, app.config.school.timeZone));
  });
}, { name: 'mathsoc-render' });
