// The content area's public routes: articles, newsletters, announcements,
// pages and uploaded files (the admin side lives in admin/content.tsx).
import type { FastifyInstance } from 'fastify';
import { contentRoutes } from './content.js';
import { uploadRoutes } from './uploads.js';

export async function contentAreaRoutes(app: FastifyInstance): Promise<void> {
  await app.register(contentRoutes);
  await app.register(uploadRoutes);
}
