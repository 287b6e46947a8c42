#!/usr/bin/env node
// The `isf` command. Installed from npm it runs the built JavaScript in dist/. In a checkout of the repository
// (src/ beside bin/; the package does not ship src/) it runs the TypeScript sources through tsx instead, so that
// the tests and `npm run example` always run the code as it is, with no rebuild.
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
} else {
  await import('../dist/cli/main.js');
}
