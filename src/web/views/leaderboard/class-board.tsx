// /leaderboard/class: the boards of the classes a pupil is in (first names and
// initials, as on every board pupils see), and one class's board by its number.
import type { ClassBoard, ClassBoardEntry } from '../../../domain/classes/class-board.js';
import type { ViewContext } from '../context.js';
import { Layout } from '../layout.js';

/** A class's board: rank, name, points, challenges completed; pupils without points last, unranked. */
export function ClassBoardTable({
  entries,
  fullNames,
  me,
  label,
}: {
  entries: ClassBoardEntry[];
  fullNames?: boolean;
  me?: number;
  label: string;
}) {
  if (entries.length === 0) return <p class="muted">No pupils on this board yet.</p>;
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={label}>
      <table class="board">
        <thead>
          <tr>
            <th scope="col">Rank</th>
            <th scope="col">Pupil</th>
            <th scope="col">Points</th>
            <th scope="col">Completed</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr class={e.userId === me ? 'board-me' : undefined}>
              <td class="board-rank">{e.rank ?? '–'}</td>
              <td>
                {fullNames ? e.fullName : e.name}
                {e.userId === me && <span class="visually-hidden"> (you)</span>}
              </td>
              <td>{e.points}</td>
              <td>{e.completed}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function BoardSection({ ctx, board, heading }: { ctx: ViewContext; board: ClassBoard; heading: 'h1' | 'h2' }) {
  const H = heading;
  const id = `class-${board.cls.id}-title`;
  return (
    <section class="card" aria-labelledby={id}>
      <H id={id}>
        {heading === 'h1' ? 'Class board: ' : ''}
        {board.cls.name}
      </H>
      <p class="muted">{board.cls.schoolName}</p>
      <ClassBoardTable entries={board.entries} me={ctx.user?.id} label={`Leaderboard of ${board.cls.name}`} />
    </section>
  );
}

const HINT =
  'Pupils with equal points share a rank; pupils without points yet are listed last. Points are the same as on your key stage’s board: 3 for the first to complete a challenge, 1 for everyone after.';

export function MyClassBoardsPage({ ctx, boards }: { ctx: ViewContext; boards: ClassBoard[] }) {
  return (
    <Layout ctx={ctx} title="Class leaderboards">
      <h1>Class leaderboards</h1>
      <p class="lead">
        How your class is doing. <a href="/leaderboard">The key-stage boards</a> rank every pupil of your key stage.
      </p>
      {boards.length === 0 ? (
        <p>You are in no class yet. Your teacher adds you to yours.</p>
      ) : (
        boards.map((b) => <BoardSection ctx={ctx} board={b} heading="h2" />)
      )}
      <p class="hint">{HINT}</p>
    </Layout>
  );
}

export function ClassBoardPage({ ctx, board }: { ctx: ViewContext; board: ClassBoard }) {
  return (
    <Layout ctx={ctx} title={`Class board ${board.cls.name}`}>
      <BoardSection ctx={ctx} board={board} heading="h1" />
      <p>
        <a href="/leaderboard/class">All your class boards</a>
      </p>
      <p class="hint">{HINT}</p>
    </Layout>
  );
}
