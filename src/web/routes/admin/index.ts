// The admin area: every plugin here is registered under the /admin prefix, so
// a route file names its paths relative to the area ('/users', not '/admin/users').
import type { FastifyInstance } from 'fastify';
import { adminAuditRoutes } from './audit.js';
import { adminChallengeRoutes } from './challenges.js';
import { adminClassRoutes } from './classes.js';
import { adminCompetitionRoutes } from './competitions.js';
import { adminContentRoutes } from './content.js';
import { adminDashboardRoutes } from './dashboard.js';
import { adminLeaderboardRoutes } from './leaderboard.js';
import { adminMathRoutes } from './math.js';
import { adminSchoolRoutes } from './schools.js';
import { adminSchoolSignInRoutes } from './school-sign-in.js';
import { adminUserRoutes } from './users.js';

export const ADMIN_PREFIX = '/admin';

export async function adminRoutes(app: FastifyInstance): Promise<void> {
  await app.register(adminDashboardRoutes);
  await app.register(adminChallengeRoutes);
  await app.register(adminLeaderboardRoutes);
  await app.register(adminSchoolRoutes);
  await app.register(adminSchoolSignInRoutes);
  await app.register(adminCompetitionRoutes);
  await app.register(adminContentRoutes);
  await app.register(adminUserRoutes);
  await app.register(adminAuditRoutes);
  await app.register(adminMathRoutes);
  await app.register(adminClassRoutes);
}
