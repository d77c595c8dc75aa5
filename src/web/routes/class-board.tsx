// Class leaderboards for signed-in pupils (ADR 033): /leaderboard/class shows
// the board of every class they are in; /leaderboard/class/:id one of them.
// Another class's board is refused (403); its teachers and admins may see it.
import type { FastifyInstance } from 'fastify';
import { boardVisibility } from '../../domain/accounts/board-visibility.js';
import { boardForViewer, boardsOfPupil } from '../../domain/classes/class-board.js';
import { HttpError } from '../../security/access.js';
import { idParam } from '../params.js';
import { viewContext } from '../views/context.js';
import { ClassBoardPage, MyClassBoardsPage } from '../views/leaderboard/class-board.js';

const NOT_FOUND = 'There is no class with that number.';

export async function classBoardRoutes(app: FastifyInstance): Promise<void> {
  const visibility = boardVisibility(app.config);
  const user = { access: 'user', personal: true } as const;

  app.get('/leaderboard/class', { config: user }, async (request, reply) =>
    reply.render(
      <MyClassBoardsPage
        ctx={viewContext(request)}
        boards={await boardsOfPupil(app.db, request.user!.id, visibility)}
      />,
    ),
  );

  app.get('/leaderboard/class/:id', { config: user }, async (request, reply) => {
    const u = request.user!;
    const found = await boardForViewer(
      app.db,
      { id: u.id, role: u.role, schoolId: u.schoolId },
      idParam(request, NOT_FOUND),
      visibility,
    );
    if (found.kind === 'missing') throw new HttpError(404, NOT_FOUND);
    if (found.kind === 'forbidden') throw new HttpError(403, 'This board is for the pupils and teachers of its class.');
    return reply.render(<ClassBoardPage ctx={viewContext(request)} board={found.board} />);
  });
}
