#!/usr/bin/env node
// The `isf` command. The package runs its TypeScript sources through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
