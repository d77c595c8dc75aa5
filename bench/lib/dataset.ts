// The benchmark dataset: a region's schools on one platform. Students across
// Years 7–13 (key stages from the default year map) in many schools, a weekly
// challenge per key stage going back two years plus a few scheduled ones, each
// with 1–4 answer boxes; tries with realistic right/wrong ratios (skill per
// student, difficulty per challenge, 3 attempts per box, some students giving
// up), completions and board rows exactly as the scoring rule derives them
// (first completer 3 points, later ones 1; a board row per student and key
// stage with points, completions and tries), articles, newsletters and
// announcements.
//
// Speed: rows go in through prepared statements (SQLite) or unnest() batches
// (PostgreSQL), 10,000 per transaction; every account shares one Argon2 hash.
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { parseKeyStageMap, type DatabaseConfig, type KeyStage } from '../../src/config/index.js';
import { migrateToLatest, openDatabase } from '../../src/db/index.js';
import { hashPassword } from '../../src/domain/accounts/passwords.js';
import {
  ANSWERS,
  ARTICLE_TITLES,
  FIRST_NAMES,
  LAST_NAMES,
  articleHtml,
  challengeHtml,
  challengeTitle,
  schoolName,
} from './content.js';
import { Random, WeightedSampler } from './random.js';
import { MARKER_KEY, resetDatabase, type DatasetMarker } from './target.js';
import { PostgresWriter, SqliteWriter, type BulkWriter, type TableSpec } from './writer.js';

/** Every generated account signs in with this password (the dataset is for benchmarks only). */
const BENCH_PASSWORD = 'bench-dataset-password';

export interface DatasetOptions {
  users: number;
  submissions: number;
  /** Released weekly challenges (spread over the key stages, one a week each). */
  challenges?: number;
  /** Challenges per key stage released in the coming weeks. */
  scheduledPerStage?: number;
  articles?: number;
  announcements?: number;
  seed?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

const STAGES: readonly KeyStage[] = ['KS3', 'KS4', 'KS5'];
const KEY_STAGE_BY_YEAR = parseKeyStageMap('7-8:KS3,9-11:KS4,12-13:KS5');
/** Relative size of each school year (sixth forms are smaller). */
const YEAR_WEIGHTS: Record<number, number> = { 7: 17, 8: 17, 9: 16, 10: 15, 11: 14, 12: 11, 13: 10 };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const T = {
  schools: {
    name: 'schools',
    columns: [
      ['id', 'int'],
      ['name', 'text'],
      ['email_domain', 'text'],
      ['address', 'text'],
      ['created_at', 'text'],
    ],
  },
  users: {
    name: 'users',
    columns: [
      ['id', 'int'],
      ['email', 'text'],
      ['first_name', 'text'],
      ['last_name', 'text'],
      ['password_hash', 'text'],
      ['year_group', 'int'],
      ['key_stage', 'text'],
      ['maths_class', 'text'],
      ['school_id', 'int'],
      ['user_type', 'text'],
      ['is_admin', 'int'],
      ['is_participant', 'int'],
      ['must_change_password', 'int'],
      ['created_at', 'text'],
      ['updated_at', 'text'],
      ['last_login_at', 'text'],
      ['password_changed_at', 'text'],
      // Members of a running society have confirmed addresses (migration 008).
      ['email_verified_at', 'text'],
    ],
  },
  challenges: {
    name: 'challenges',
    columns: [
      ['id', 'int'],
      ['title', 'text'],
      ['content_html', 'text'],
      ['key_stage', 'text'],
      ['release_at', 'text'],
      ['lock_after_hours', 'int'],
      ['is_locked', 'int'],
      ['attempts_per_box', 'int'],
      ['created_by', 'int'],
      ['created_at', 'text'],
      ['updated_at', 'text'],
    ],
  },
  boxes: {
    name: 'answer_boxes',
    columns: [
      ['id', 'int'],
      ['challenge_id', 'int'],
      ['position', 'int'],
      ['label', 'text'],
      ['correct_answer', 'text'],
      ['options_json', 'text'],
      ['created_at', 'text'],
    ],
  },
  submissions: {
    name: 'submissions',
    columns: [
      ['user_id', 'int'],
      ['challenge_id', 'int'],
      ['box_id', 'int'],
      ['answer', 'text'],
      ['is_correct', 'int'],
      ['is_admin_try', 'int'],
      ['created_at', 'text'],
    ],
  },
  completions: {
    name: 'completions',
    columns: [
      ['user_id', 'int'],
      ['challenge_id', 'int'],
      ['key_stage', 'text'],
      ['points', 'int'],
      ['completed_at', 'text'],
    ],
  },
  scores: {
    name: 'scores',
    columns: [
      ['user_id', 'int'],
      ['key_stage', 'text'],
      ['points', 'int'],
      ['challenges_completed', 'int'],
      ['submissions', 'int'],
      ['updated_at', 'text'],
    ],
  },
  articles: {
    name: 'articles',
    columns: [
      ['id', 'int'],
      ['type', 'text'],
      ['title', 'text'],
      ['author_name', 'text'],
      ['author_id', 'int'],
      ['content_html', 'text'],
      ['published_at', 'text'],
      ['created_at', 'text'],
      ['updated_at', 'text'],
    ],
  },
  announcements: {
    name: 'announcements',
    columns: [
      ['title', 'text'],
      ['content_html', 'text'],
      ['author_id', 'int'],
      ['created_at', 'text'],
      ['updated_at', 'text'],
    ],
  },
  settings: {
    name: 'settings',
    columns: [
      ['key', 'text'],
      ['value', 'text'],
      ['updated_at', 'text'],
    ],
  },
} as const satisfies Record<string, TableSpec>;

const iso = (ms: number) => new Date(ms).toISOString();

interface Box {
  id: number;
  answer: (typeof ANSWERS)[number];
}

interface ChallengeRow {
  id: number;
  stage: number;
  release: number;
  /** Last moment a try is accepted (lock or now). */
  closes: number;
  attempts: number;
  difficulty: number;
  boxes: Box[];
  weight: number;
  firstAt: string | null;
  firstBy: number | null;
}

/** Generates a fresh dataset into the (emptied) benchmark database; returns its marker. */
export async function generateDataset(config: DatabaseConfig, opts: DatasetOptions): Promise<DatasetMarker> {
  const log = opts.log ?? (() => {});
  const started = Date.now();
  const users = Math.max(10, Math.floor(opts.users));
  const submissionsTarget = Math.max(0, Math.floor(opts.submissions));
  const releasedCount = Math.max(3, Math.floor(opts.challenges ?? 300));
  const scheduledPerStage = opts.scheduledPerStage ?? 2;
  const articleCount = opts.articles ?? 120;
  const announcementCount = opts.announcements ?? 20;
  const seed = opts.seed ?? 20260901;
  const random = new Random(seed);

  await resetDatabase(config);
  const handle = openDatabase(config);
  await migrateToLatest(handle.db);
  await handle.close();

  let writer: BulkWriter;
  let finish: () => Promise<void>;
  if (config.dialect === 'sqlite') {
    const conn = new SqliteDatabase(config.url);
    // No journal while loading a database that is rebuilt from scratch on any failure.
    conn.pragma('journal_mode = OFF');
    conn.pragma('synchronous = OFF');
    conn.pragma('cache_size = -262144');
    // Rows are consistent by construction; checking every reference would only slow the load.
    conn.pragma('foreign_keys = OFF');
    writer = new SqliteWriter(conn);
    finish = async () => {
      conn.pragma('journal_mode = WAL');
      conn.close();
    };
  } else {
    const client = new pg.Client({ connectionString: config.url });
    await client.connect();
    await client.query('set synchronous_commit = off');
    writer = new PostgresWriter(client);
    finish = async () => {
      await client.end();
    };
  }

  try {
    const now = Date.now();
    const passwordHash = await hashPassword(BENCH_PASSWORD);
    const counts: Record<string, number> = {};

    // ------------------------------------------------------------ schools
    const schoolCount = Math.max(2, Math.ceil(users / 2000));
    const domains: string[] = [];
    for (let s = 1; s <= schoolCount; s++) {
      domains.push(`school${s}.bench.example.org`);
      await writer.add(T.schools, [
        s,
        schoolName(s - 1),
        domains[s - 1]!,
        `${s} School Lane`,
        iso(now - 3 * 365 * DAY),
      ]);
    }
    await writer.flush();
    counts.schools = schoolCount;
    log(`schools: ${schoolCount}`);

    // ------------------------------------------------------------ users
    // Earliest release: the oldest weekly challenge.
    const weeks = Math.ceil(releasedCount / STAGES.length);
    const history = weeks * WEEK;
    const firstRelease = now - history;
    const stageOf = new Int8Array(users + 1).fill(-1);
    const activity = new Float64Array(users + 1);
    const skill = new Float32Array(users + 1);
    const joined = new Float64Array(users + 1);
    const years = Object.keys(YEAR_WEIGHTS).map(Number);
    const yearWeights = years.map((y) => YEAR_WEIGHTS[y]!);
    const teacherEvery = 50;
    let admins = 0;
    for (let id = 1; id <= users; id++) {
      const first = random.pick(FIRST_NAMES);
      const last = random.pick(LAST_NAMES);
      const school = 1 + (id % schoolCount);
      const local = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
      const email = `${local}.${id}@${domains[school - 1]}`;
      // Founding members joined before the oldest challenge; the rest over time.
      const joinedAt = random.chance(0.4)
        ? firstRelease - random.int(1, 60) * DAY
        : firstRelease + random.next() * (history - DAY);
      joined[id] = joinedAt;
      const teacher = id % teacherEvery === 0;
      const lastLogin = random.chance(0.7) ? iso(now - random.exponential(10 * DAY)) : null;
      if (teacher) {
        const admin = admins < schoolCount && id % (teacherEvery * 2) === 0;
        if (admin) admins += 1;
        await writer.add(T.users, [
          id,
          email,
          first,
          last,
          passwordHash,
          null,
          null,
          null,
          school,
          'teacher',
          admin ? 1 : 0,
          0,
          0,
          iso(joinedAt),
          iso(joinedAt),
          lastLogin,
          iso(joinedAt),
          iso(joinedAt),
        ]);
        continue;
      }
      const year = years[random.weighted(yearWeights)]!;
      const stage = STAGES.indexOf(KEY_STAGE_BY_YEAR[year]!);
      stageOf[id] = stage;
      // A quarter never try a challenge; among the rest activity is heavy-tailed.
      activity[id] = random.chance(0.25) ? 0 : Math.exp(random.normal() * 1.1);
      skill[id] = 0.35 + 0.6 * Math.pow(random.next(), 0.6);
      const mathsClass = `${year}${'ABCDEFG'[random.int(0, 6)]}`;
      await writer.add(T.users, [
        id,
        email,
        first,
        last,
        passwordHash,
        year,
        STAGES[stage]!,
        mathsClass,
        school,
        'student',
        0,
        0,
        0,
        iso(joinedAt),
        iso(joinedAt),
        lastLogin,
        iso(joinedAt),
        iso(joinedAt),
      ]);
    }
    await writer.flush();
    counts.users = users;
    counts.admins = admins;
    log(`users: ${users} (${admins} admins, one Argon2 hash shared by all)`);

    // Samplers: students of each key stage weighted by activity, and everyone.
    const byStage: number[][] = [[], [], []];
    for (let id = 1; id <= users; id++) if (stageOf[id]! >= 0 && activity[id]! > 0) byStage[stageOf[id]!]!.push(id);
    const sampler = (ids: number[]) =>
      new WeightedSampler(Int32Array.from(ids), Float64Array.from(ids.map((id) => activity[id]!)));
    const stageSamplers = byStage.map(sampler);
    const allSampler = sampler(byStage.flat());

    // ------------------------------------------------------------ challenges and boxes
    const challenges: ChallengeRow[] = [];
    let boxId = 0;
    let challengeId = 0;
    const adminId = teacherEvery * 2 <= users ? teacherEvery * 2 : null;
    const addChallenge = async (stage: number, release: number, released: boolean) => {
      challengeId += 1;
      const boxCount = 1 + random.weighted([4, 3, 2, 1]);
      const attempts = random.chance(0.85) ? 3 : 5;
      // Most stay open; some lock two weeks after release; a few were locked by hand.
      const lockHours = random.chance(0.3) ? 336 : null;
      const manual = released && random.chance(0.02) ? 1 : 0;
      const row: ChallengeRow = {
        id: challengeId,
        stage,
        release,
        attempts,
        closes: Math.min(now - 1000, lockHours ? release + lockHours * HOUR : Infinity),
        difficulty: 0.55 + 0.45 * random.next(),
        boxes: [],
        weight: 0,
        firstAt: null,
        firstBy: null,
      };
      await writer.add(T.challenges, [
        challengeId,
        challengeTitle(challengeId - 1),
        challengeHtml((x) => random.pick(x)),
        STAGES[stage]!,
        iso(release),
        lockHours,
        manual,
        attempts,
        adminId,
        iso(release - 3 * DAY),
        iso(release - 3 * DAY),
      ]);
      for (let p = 1; p <= boxCount; p++) {
        boxId += 1;
        const answer = random.pick(ANSWERS);
        row.boxes.push({ id: boxId, answer });
        await writer.add(T.boxes, [
          boxId,
          challengeId,
          p,
          answer.label,
          answer.correct,
          JSON.stringify(answer.options ?? {}),
          iso(release - 3 * DAY),
        ]);
      }
      if (released) challenges.push(row);
    };
    // Weekly: every key stage gets one challenge a week, Mondays 16:00 UTC, oldest first.
    const monday = new Date(now);
    monday.setUTCHours(16, 0, 0, 0);
    monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
    let thisWeek = monday.getTime();
    if (thisWeek > now) thisWeek -= WEEK;
    let made = 0;
    for (let w = weeks - 1; w >= 0 && made < releasedCount; w--) {
      for (let s = 0; s < STAGES.length && made < releasedCount; s++, made++) {
        await addChallenge(s, thisWeek - w * WEEK + s * HOUR, true);
      }
    }
    for (let k = 1; k <= scheduledPerStage; k++) {
      for (let s = 0; s < STAGES.length; s++) await addChallenge(s, thisWeek + k * WEEK + s * HOUR, false);
    }
    await writer.flush();
    counts.challenges = challengeId;
    counts.released = challenges.length;
    counts.answer_boxes = boxId;
    log(
      `challenges: ${challenges.length} released, ${challengeId - challenges.length} scheduled, ${boxId} answer boxes`,
    );

    // ------------------------------------------------------------ tries, completions, boards
    // Newer challenges draw more tries (the society grows); each gets its share of the total.
    let weightSum = 0;
    challenges.forEach((c, i) => {
      c.weight = 0.4 + 0.6 * (i / Math.max(1, challenges.length - 1));
      weightSum += c.weight;
    });
    const boardPoints = new Int32Array((users + 1) * 3);
    const boardDone = new Int32Array((users + 1) * 3);
    const boardTries = new Int32Array((users + 1) * 3);
    const boardLast = new Float64Array((users + 1) * 3);
    let submissions = 0;
    let correctTries = 0;
    let completions = 0;
    let owed = 0;
    const progressEvery = Math.max(1, Math.floor(challenges.length / 10));
    for (const [ci, c] of challenges.entries()) {
      owed += (submissionsTarget * c.weight) / weightSum;
      const stageSampler = stageSamplers[c.stage]!;
      const tried = new Set<number>();
      const finished: Array<{ user: number; at: number }> = [];
      let draws = 0;
      // What is still owed at the last challenge is drawn there, until nobody is left to draw.
      const maxDraws = ci === challenges.length - 1 ? 20 * allSampler.size + 1000 : owed * 4 + 50;
      while (owed >= 1 && draws < maxDraws) {
        draws += 1;
        // Mostly students of the challenge's key stage; some try other stages' challenges.
        const pool = stageSampler.size && random.chance(0.85) ? stageSampler : allSampler;
        if (!pool.size) break;
        const user = pool.draw(random);
        if (tried.has(user)) continue;
        // Nobody answers before joining; a try starts within the challenge's open window.
        const earliest = Math.max(c.release, joined[user]!);
        if (earliest >= c.closes) continue;
        tried.add(user);
        let t = Math.min(earliest + random.exponential(36 * HOUR), earliest + random.next() * (c.closes - earliest));
        const p = skill[user]! * c.difficulty;
        let solvedAll = true;
        let lastCorrect = 0;
        // Tries and points count on the student's own key stage's board, whatever the challenge's (ADR 015).
        const board = user * 3 + stageOf[user]!;
        for (const [bi, box] of c.boxes.entries()) {
          // Some give up part-way through a challenge.
          if (bi > 0 && !solvedAll && random.chance(0.5)) break;
          let solved = false;
          for (let a = 0; a < c.attempts; a++) {
            t += 20_000 + random.next() * 8 * 60_000;
            if (t >= c.closes) break;
            const correct = random.chance(p);
            const answer = correct ? box.answer.correct : random.pick(box.answer.wrong);
            await writer.add(T.submissions, [user, c.id, box.id, answer, correct ? 1 : 0, 0, iso(Math.floor(t))]);
            submissions += 1;
            owed -= 1;
            boardTries[board]! += 1;
            boardLast[board] = Math.max(boardLast[board]!, t);
            if (correct) {
              correctTries += 1;
              solved = true;
              lastCorrect = Math.floor(t);
              break;
            }
          }
          if (!solved) solvedAll = false;
          if (t >= c.closes) break;
        }
        if (solvedAll && lastCorrect > 0) finished.push({ user, at: lastCorrect });
      }
      // The scoring rule: completion order by time; the first completer gets 3, the rest 1.
      finished.sort((a, b) => a.at - b.at);
      for (const [i, f] of finished.entries()) {
        const points = i === 0 ? 3 : 1;
        await writer.add(T.completions, [f.user, c.id, STAGES[c.stage]!, points, iso(f.at)]);
        const board = f.user * 3 + stageOf[f.user]!;
        boardPoints[board]! += points;
        boardDone[board]! += 1;
        completions += 1;
      }
      if (finished.length) {
        c.firstAt = iso(finished[0]!.at);
        c.firstBy = finished[0]!.user;
      }
      if ((ci + 1) % progressEvery === 0)
        log(`tries: ${submissions.toLocaleString('en-GB')} after ${ci + 1}/${challenges.length} challenges`);
    }
    await writer.flush();
    for (const c of challenges) {
      if (c.firstBy === null) continue;
      await writer.exec(
        `update challenges set first_completed_at = '${c.firstAt}', first_completed_by = ${c.firstBy} where id = ${c.id}`,
      );
    }
    let boardRows = 0;
    for (let id = 1; id <= users; id++) {
      for (let s = 0; s < 3; s++) {
        const b = id * 3 + s;
        if (boardTries[b] === 0) continue;
        boardRows += 1;
        await writer.add(T.scores, [
          id,
          STAGES[s]!,
          boardPoints[b]!,
          boardDone[b]!,
          boardTries[b]!,
          iso(Math.floor(boardLast[b]!)),
        ]);
      }
    }
    await writer.flush();
    counts.submissions = submissions;
    counts.correct_submissions = correctTries;
    counts.completions = completions;
    counts.scores = boardRows;
    log(
      `submissions: ${submissions} (${Math.round((100 * correctTries) / Math.max(1, submissions))}% correct), completions: ${completions}, board rows: ${boardRows}`,
    );

    // ------------------------------------------------------------ articles, newsletters, announcements
    for (let a = 1; a <= articleCount; a++) {
      const newsletter = a % 4 === 0;
      const published = now - (articleCount - a) * 5 * DAY - random.int(1, 48) * HOUR;
      const title = newsletter
        ? `Newsletter ${new Date(published).toLocaleString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' })}`
        : `${random.pick(ARTICLE_TITLES)} (${a})`;
      await writer.add(T.articles, [
        a,
        newsletter ? 'newsletter' : 'article',
        title,
        `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`,
        adminId,
        articleHtml((x) => random.pick(x), newsletter ? 6 : random.int(3, 5)),
        iso(published),
        iso(published),
        iso(published),
      ]);
    }
    for (let n = 1; n <= announcementCount; n++) {
      const at = now - (announcementCount - n) * 9 * DAY - HOUR;
      await writer.add(T.announcements, [
        `Announcement ${n}`,
        `<p>The next meeting is on Thursday in room M${(n % 9) + 1}. Bring a calculator.</p>`,
        adminId,
        iso(at),
        iso(at),
      ]);
    }
    await writer.flush();
    counts.articles = articleCount;
    counts.announcements = announcementCount;

    // ------------------------------------------------------------ finishing
    if (config.dialect === 'postgres') {
      for (const table of ['schools', 'users', 'challenges', 'answer_boxes', 'articles']) {
        await writer.exec(
          `select setval(pg_get_serial_sequence('${table}', 'id'), (select coalesce(max(id), 1) from ${table}))`,
        );
      }
      // Autovacuum would do this within minutes; the benchmark should not depend on when.
      await writer.exec('analyze');
    }
    const marker: DatasetMarker = {
      users,
      submissions: submissionsTarget,
      challenges: releasedCount,
      articles: articleCount,
      seed,
      generatedAt: iso(now),
      counts,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    await writer.add(T.settings, [MARKER_KEY, JSON.stringify(marker), iso(now)]);
    await writer.flush();
    log(`done in ${marker.seconds} s (${writer.rowsWritten().toLocaleString('en-GB')} rows)`);
    return marker;
  } finally {
    await finish();
  }
}
