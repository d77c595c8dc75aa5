// Run in a separate process by pool.test.ts: prints verdicts for the given pairs as JSON.
import { checkAnswer } from '../../../src/math/index.js';

const pairs = JSON.parse(process.argv[2] ?? '[]') as Array<[string, string]>;
process.stdout.write(JSON.stringify(pairs.map(([e, s]) => checkAnswer(e, s))));
