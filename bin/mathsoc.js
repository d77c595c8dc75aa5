#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (the project runs from source).
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/index.ts');
process.exitCode = await runCli(process.argv);
