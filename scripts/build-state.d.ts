// Types of scripts/build-state.js (plain JavaScript, run by bin/mathsoc.js and `npm start` without a compiler).
export const ROOT: string;
export const BUILD_INFO: string;
export const MANIFEST: string;
export const BUILD_INPUTS: string[];
export function builtAt(): number | null;
export function staleReason(): string | null;
