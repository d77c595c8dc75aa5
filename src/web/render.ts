import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

export function renderPage(page: VNode): string {
  return `<!doctype html>${renderToString(page)}`;
}

export const renderPlugin = fp(async (app: FastifyInstance) => {
  app.decorateReply('render', function (this: FastifyReply, page: VNode, status = 200) {
    return this.code(status).type('text/html; charset=utf-8').send(renderPage(page));
  });
}, { name: 'mathsoc-render' });
