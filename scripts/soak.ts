/**
 * Soak test (outside CI): renders, reinitializes, force-cleans and checks memory for N minutes, then prints a
 * summary. Exit status 1 when a frame was wrong, live GL objects grew, or RSS grew past the limit.
 *
 *   npm run soak -- --minutes 10 [--size 128x96] [--reinit-every 200] [--max-growth-mb 50] [--workers 2] [--json]
 *
 * Every frame is compared with a reference rendered before the loop (the same document, values and time on a
 * fresh stream), so rebuilds after reinitialize()/cleanup and the buffer pool are checked, not only "no crash".
 * With --workers N it also keeps a RenderPool busy and compares its frames the same way.
 */
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parseISF } from '../src/core/parse/index.ts';
import { createContext } from '../src/node/context.ts';
import { RenderPool } from '../src/node/render-pool.ts';
import type { ContextStats } from '../src/render/context.ts';
import type { Frame } from '../src/render/frame.ts';
import { Scene } from '../src/render/scene.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1' },
    size: { type: 'string', default: '128x96' },
    'reinit-every': { type: 'string', default: '200' },
    'max-growth-mb': { type: 'string', default: '50' },
    workers: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
  },
});

function positive(name: string, text: string | undefined, integer = false): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    console.error(
      `soak: expected a positive ${integer ? 'integer' : 'number'} for --${name} but received "${text}"`,
    );
    process.exit(2);
  }
  return v;
}

const minutes = positive('minutes', args.minutes);
const [width, height] = (args.size ?? '').split('x').map((s) => positive('size', s, true)) as [
  number,
  number,
];
const reinitEvery = positive('reinit-every', args['reinit-every'], true);
const maxGrowthMB = positive('max-growth-mb', args['max-growth-mb']);
const workers = Number(args.workers);

const FEEDBACK = `/*{
  "INPUTS": [ { "NAME": "inputImage", "TYPE": "image" }, { "NAME": "tint", "TYPE": "color", "DEFAULT": [1, 0.5, 0.25, 1] } ],
  "PASSES": [ { "TARGET": "acc", "PERSISTENT": true }, { "TARGET": "small", "WIDTH": "$WIDTH / 2", "HEIGHT": "$HEIGHT / 2" }, {} ]
}*/
void main() {
  if (PASSINDEX == 0) gl_FragColor = mix(IMG_THIS_PIXEL(acc), IMG_THIS_NORM_PIXEL(inputImage) * tint, 0.5) + vec4(0.0, 0.0, 0.1 * fract(TIME), 0.25);
  else if (PASSINDEX == 1) gl_FragColor = IMG_NORM_PIXEL(acc, isf_FragNormCoord).gbra;
  else gl_FragColor = 0.5 * IMG_NORM_PIXEL(small, isf_FragNormCoord) + 0.5 * IMG_THIS_NORM_PIXEL(acc);
}
`;
const ANIMATED = `/*{ "INPUTS": [ { "NAME": "intensity", "TYPE": "float", "DEFAULT": 0.5 } ] }*/
void main() {
  vec2 uv = isf_FragNormCoord;
  gl_FragColor = vec4(vec3(0.5 + 0.5 * sin(uv.x * 12.0 + TIME * 3.0) * cos(uv.y * 7.0 - TIME)) * intensity, 1.0);
}
`;

const image = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 4) };
for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 37) & 255;

let gcFn: (() => void) | undefined;
function rssMB(): number {
  if (!gcFn) {
    v8.setFlagsFromString('--expose-gc');
    gcFn = vm.runInNewContext('gc') as () => void;
  }
  gcFn();
  return process.memoryUsage().rss / 1e6;
}

const ctx = createContext().initialize();
const feedback = new Scene(ctx).useDocSync(parseISF(FEEDBACK, { path: '/soak/Feedback.fs' }));
feedback.setImageData('inputImage', image);
const animated = new Scene(ctx).useDocSync(parseISF(ANIMATED, { path: '/soak/Animated.fs' }));

// References: a fresh feedback stream's first STREAM frames, and animated frames for a cycle of times.
const STREAM = 8;
const TIMES = 16;
const streamTime = (k: number) => k / 10;
const animTime = (k: number) => (k % TIMES) / 4;
const refStream: Frame[] = [];
for (let k = 0; k < STREAM; k++)
  refStream.push(feedback.render({ width, height, time: streamTime(k), frameIndex: k }));
const refAnim: Frame[] = [];
for (let k = 0; k < TIMES; k++) refAnim.push(animated.render({ width, height, time: animTime(k) }));

const same = (a: Frame, b: Frame) => Buffer.compare(a.pixels, b.pixels) === 0;
const summary = {
  minutes,
  size: `${width}x${height}`,
  frames: 0,
  poolFrames: 0,
  reinits: 0,
  forcedCleanups: 0,
  wrongFrames: 0,
  firstWrong: '' as string,
  rssStartMB: 0,
  rssEndMB: 0,
  rssMaxMB: 0,
  growthMB: 0,
  statsStart: undefined as ContextStats | undefined,
  statsEnd: undefined as ContextStats | undefined,
  liveObjectsFlat: true,
  ok: true,
};
function wrong(what: string): void {
  summary.wrongFrames += 1;
  summary.firstWrong ||= what;
}

/** One cycle: a fresh feedback stream and a run of animated frames, then sometimes a reinit or forced cleanup. */
async function cycle(i: number, pool: RenderPool | undefined): Promise<void> {
  feedback.cleanup(); // a fresh stream without a reinit, so both paths are exercised
  for (let k = 0; k < STREAM; k++) {
    const f = feedback.render({ width, height, time: streamTime(k), frameIndex: k });
    if (!same(f, refStream[k]!)) wrong(`cycle ${i}: feedback frame ${k}`);
  }
  for (let k = 0; k < TIMES; k++) {
    const f = animated.render({ width, height, time: animTime(k) });
    if (!same(f, refAnim[k]!)) wrong(`cycle ${i}: animated frame ${k}`);
  }
  summary.frames += STREAM + TIMES;
  if (pool) {
    const frames = await pool.render({
      source: ANIMATED,
      width,
      height,
      frames: refAnim.map((_, k) => ({ time: animTime(k) })),
    });
    frames.forEach((f, k) => {
      if (!same(f, refAnim[k]!)) wrong(`cycle ${i}: pool frame ${k}`);
    });
    summary.poolFrames += frames.length;
  }
  lastLive = live(); // after the renders, before a reinit empties the pool
  if (summary.frames % reinitEvery < STREAM + TIMES) {
    if (i % 5 === 4) {
      await ctx.cleanup({ force: true });
      ctx.initialize();
      summary.forcedCleanups += 1;
    } else {
      ctx.reinitialize();
      summary.reinits += 1;
    }
  }
}

const pool = workers > 0 ? new RenderPool({ workers }) : undefined;
/** Live GL objects and bytes, as one comparable string. */
function live(): string {
  const s = ctx.stats();
  return `${s.textures}/${s.framebuffers}/${s.programs}/${s.bytes}/${s.pool.inUse}`;
}
let lastLive = '';
// Warm-up: driver caches, JIT, allocator arenas, workers started.
for (let i = 0; i < 20; i++) await cycle(-1, pool);
summary.rssStartMB = rssMB();
summary.rssMaxMB = summary.rssStartMB;
summary.statsStart = ctx.stats();
const liveStart = lastLive;
const deadline = Date.now() + minutes * 60_000;
let lastReport = Date.now();
for (let i = 0; Date.now() < deadline; i++) {
  await cycle(i, pool);
  if (i % 50 === 0) {
    summary.rssMaxMB = Math.max(summary.rssMaxMB, rssMB());
    if (lastLive !== liveStart) summary.liveObjectsFlat = false;
    if (!args.json && Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      const left = Math.max(0, (deadline - Date.now()) / 1000).toFixed(0);
      console.error(
        `soak: ${summary.frames} frames, ${summary.reinits} reinits, RSS ${rssMB().toFixed(1)} MB, ${left} s left`,
      );
    }
  }
}
summary.rssEndMB = rssMB();
summary.rssMaxMB = Math.max(summary.rssMaxMB, summary.rssEndMB);
summary.growthMB = summary.rssEndMB - summary.rssStartMB;
summary.statsEnd = ctx.stats();
if (lastLive !== liveStart) summary.liveObjectsFlat = false;
summary.ok = summary.wrongFrames === 0 && summary.liveObjectsFlat && summary.growthMB < maxGrowthMB;
await pool?.close();
feedback.destroy();
animated.destroy();
ctx.destroy();

if (args.json) {
  console.log(JSON.stringify(summary, null, 2));
} else {
  const s = summary.statsEnd!;
  console.log(
    [
      `soak ${summary.ok ? 'PASSED' : 'FAILED'} after ${minutes} min at ${summary.size}`,
      `  frames          ${summary.frames} in this thread${pool ? `, ${summary.poolFrames} on ${workers} workers` : ''}`,
      `  reinitialize()  ${summary.reinits}, forced cleanups ${summary.forcedCleanups}`,
      `  wrong frames    ${summary.wrongFrames}${summary.firstWrong ? ` (first: ${summary.firstWrong})` : ''}`,
      `  RSS             start ${summary.rssStartMB.toFixed(1)} MB, end ${summary.rssEndMB.toFixed(1)} MB, max ${summary.rssMaxMB.toFixed(1)} MB, growth ${summary.growthMB.toFixed(1)} MB (limit ${maxGrowthMB})`,
      `  live objects    ${summary.liveObjectsFlat ? 'flat' : 'GREW'}: textures ${s.textures}, framebuffers ${s.framebuffers}, programs ${s.programs}, bytes ${s.bytes}`,
      `  pool            hits ${s.pool.hits}, misses ${s.pool.misses}, freed ${s.pool.freed}; generation ${s.generation}`,
    ].join('\n'),
  );
}
process.exit(summary.ok ? 0 : 1);
