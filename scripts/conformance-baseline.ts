/**
 * npm run conformance:baseline: renders the corpus as test/render/conformance.test.ts does and writes its
 * per-file baseline (test/render/conformance-baseline.json): {mean, max, badPixels} of every render compared
 * with a VVISF-GL reference image. Run it on purpose, after a change that improves the figures (or brings new
 * files into the compared set), and commit the file with the change; the test fails on any increase.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runConformance } from '../src/node/conformance.ts';
import { createContext } from '../src/node/context.ts';
import { BASELINE_FILE, baselineOf } from '../test/render/conformance-baseline.ts';

const shared = resolve(process.argv[2] ?? join(import.meta.dirname, '..', '..', 'shared'));
const context = createContext().initialize();
const entries = await runConformance(context, shared);
context.destroy();
const baseline = baselineOf(entries);
writeFileSync(BASELINE_FILE, `${JSON.stringify(baseline, null, 2)}\n`);
console.log(`${Object.keys(baseline).length} compared renders written to ${BASELINE_FILE}`);
