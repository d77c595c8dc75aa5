// Every area's routes, one plugin each.
import type { FastifyInstance } from 'fastify';
import { cspReportRoute } from '../../security/csp-report.js';
import { adminAuditRoutes } from './admin-audit.js';
import { adminChallengeRoutes } from './admin-challenges.js';
import { adminCompetitionRoutes } from './admin-competitions.js';
import { adminSchoolRoutes } from './admin-schools.js';
import { adminDashboardRoutes } from './admin-dashboard.js';
import { adminLeaderboardRoutes } from './admin-leaderboard.js';
import { adminMathRoutes } from './admin-math.js';
import { adminUserRoutes } from './admin-users.js';
import { authRoutes } from './auth.js';
import { challengeRoutes } from './challenges.js';
import { competitionRoutes } from './competitions.js';
import { contentAreaRoutes } from './content-area.js';
import { healthRoutes } from './health.js';
import { homeRoutes } from './home.js';
import { leaderboardRoutes } from './leaderboard.js';
import { profileRoutes } from './profile.js';
import { staticRoutes } from './static.js';
import { withCompression } from '../compression.js';

export async function registerRoutes(app: FastifyInstance): Promise<void> {
  await app.register(healthRoutes);
  await app.register(cspReportRoute);
  await app.register(withCompression(staticRoutes));
  await app.register(homeRoutes);
  await app.register(contentAreaRoutes);
  await app.register(challengeRoutes);
  await app.register(leaderboardRoutes);
  await app.register(adminChallengeRoutes);
  await app.register(adminLeaderboardRoutes);
  await app.register(competitionRoutes);
  await app.register(adminSchoolRoutes);
  await app.register(adminCompetitionRoutes);
  await app.register(authRoutes);
  await app.register(profileRoutes);
  await app.register(adminDashboardRoutes);
  await app.register(adminUserRoutes);
  await app.register(adminAuditRoutes);
  await app.register(adminMathRoutes);
}
