// The content area's routes: public content, admin content and uploads.
import type { FastifyInstance } from 'fastify';
import { adminContentRoutes } from './admin-content.js';
import { contentRoutes } from './content.js';
import { uploadRoutes } from './uploads.js';

export async function contentAreaRoutes(app: FastifyInstance): Promise<void> {
  await app.register(contentRoutes);
  await app.register(adminContentRoutes);
  await app.register(uploadRoutes);
}
