// Every area's routes, one plugin each; the admin area under its prefix.
import type { FastifyInstance } from 'fastify';
import { cspReportRoute } from '../../security/csp-report.js';
import { ADMIN_PREFIX, adminRoutes } from './admin/index.js';
import { mathApiRoutes } from './admin/math.js';
import { authRoutes } from './auth.js';
import { challengeRoutes } from './challenges.js';
import { classBoardRoutes } from './class-board.js';
import { competitionRoutes } from './competitions.js';
import { contentAreaRoutes } from './content-area.js';
import { emailLinkRoutes } from './email-links.js';
import { healthRoutes } from './health.js';
import { homeRoutes } from './home.js';
import { leaderboardRoutes } from './leaderboard.js';
import { passwordResetRoutes } from './password-reset.js';
import { profileRoutes } from './profile.js';
import { ssoRoutes } from './sso.js';
import { staticRoutes } from './static.js';

export async function registerRoutes(app: FastifyInstance): Promise<void> {
  await app.register(healthRoutes);
  await app.register(cspReportRoute);
  await app.register(staticRoutes);
  await app.register(homeRoutes);
  await app.register(contentAreaRoutes);
  await app.register(challengeRoutes);
  await app.register(leaderboardRoutes);
  await app.register(classBoardRoutes);
  await app.register(competitionRoutes);
  await app.register(authRoutes);
  await app.register(ssoRoutes);
  await app.register(passwordResetRoutes);
  await app.register(emailLinkRoutes);
  await app.register(profileRoutes);
  await app.register(mathApiRoutes);
  await app.register(adminRoutes, { prefix: ADMIN_PREFIX });
}
