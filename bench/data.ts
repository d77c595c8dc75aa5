// npm run bench:data -- --users N --submissions M
// Generates the benchmark dataset into DATABASE_URL (default sqlite:./data/bench.db).
import { positiveInt, parse } from './lib/args.js';
import { generateDataset } from './lib/dataset.js';
import { benchDatabase, describeDatabase } from './lib/target.js';

const USAGE = `usage: npm run bench:data -- [--users 100000] [--submissions 2000000] [--challenges 300] [--articles 120] [--seed N]
Writes a fresh dataset into DATABASE_URL (default ${'sqlite:./data/bench.db'}); a PostgreSQL database name must contain "bench" or "test".`;

async function main(): Promise<void> {
  const args = parse({
    users: { type: 'string' },
    submissions: { type: 'string' },
    challenges: { type: 'string' },
    articles: { type: 'string' },
    seed: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const config = benchDatabase();
  const users = positiveInt('users', args.users, 100_000, 10);
  const submissions = positiveInt('submissions', args.submissions, users * 20, 0);
  console.log(
    `Generating ${users.toLocaleString('en-GB')} users and ${submissions.toLocaleString('en-GB')} submissions into ${describeDatabase(config)}`,
  );
  await generateDataset(config, {
    users,
    submissions,
    challenges: positiveInt('challenges', args.challenges, 300, 3),
    articles: positiveInt('articles', args.articles, 120, 1),
    seed: positiveInt('seed', args.seed, 20260901),
    log: (line) => console.log(`  ${line}`),
  });
}

main().catch((err: unknown) => {
  console.error(`bench:data: ${err instanceof Error ? err.message : String(err)}`);
  console.error(USAGE);
  process.exit(1);
});
