/**
 * The bench script runs and reports what docs/benchmarks.md promises: a quick run of its fast sections prints
 * one JSON object as its last line, with the headline ratio and every figure finite. No speed is asserted (the
 * machine is shared; speed claims live in docs/benchmarks.md); the raw loop and the library must draw the same
 * pixels, or the overhead ratio would compare different work.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { needs } from '../helpers.ts';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const SHARED = resolve(ROOT, '../shared/corpus/bench');

/** `scripts/bench.ts --quick --json ...args`, which must exit 0: its output lines and the JSON of the last one. */
function quickBench(
  args: string[],
  timeout: number,
  // biome-ignore lint/suspicious/noExplicitAny: the bench's JSON report, checked field by field below
): { result: any; lines: string[] } {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/bench.ts', '--quick', '--json', ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout,
    },
  );
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  return { result: JSON.parse(lines[lines.length - 1]!), lines };
}

describe('npm run bench', needs(!existsSync(SHARED) && `${SHARED} is missing`), () => {
  it('prints the figures of a quick run as one JSON line', () => {
    const { result, lines } = quickBench(['--only', 'overhead,compile', '--size', '320x180'], 120_000);
    assert.ok(Number.isFinite(result.overhead_ratio) && result.overhead_ratio > 0, 'overhead_ratio');
    for (const key of [
      'speedup_vs_interactive_shader_format',
      'lifecycle_overhead_ratio',
      'startup_ratio_version',
      'startup_ratio_validate',
      'pipelined_png_speedup',
      'mp4_ratio_vs_ffmpeg_alone',
      'mp4_ratio_vs_ffmpeg_alone_in_process',
      'cli_sequence_ratio_vs_in_process',
      'cli_sequence_ratio_vs_in_process_whole_run',
    ]) {
      assert.ok(key in result, key); // null here: their sections did not run
    }
    assert.equal(typeof result.targets.overhead_ratio_at_most_1_05, 'boolean');
    assert.ok(result.machine.nproc >= 1 && typeof result.machine.gl_renderer === 'string');
    assert.equal(result.overhead.length, 2);
    for (const o of result.overhead) {
      assert.equal(o.pixels_match, true, `${o.shader}: the raw loop and the library drew different pixels`);
      for (const k of [
        'raw_ms',
        'library_ms',
        'library_reused_ms',
        'library_held_ms',
        'library_cpu_flip_ms',
        'ratio',
      ]) {
        assert.ok(Number.isFinite(o[k]) && o[k] > 0, `${o.shader}.${k} = ${o[k]}`);
      }
    }
    assert.ok(result.compile.rows.length >= 1);
    for (const row of result.compile.rows) {
      assert.equal(row.error, undefined, `${row.file}: ${row.error}`);
      assert.ok(Number.isFinite(row.cold_total_ms) && Number.isFinite(row.cached_ms), row.file);
    }
    assert.match(lines.join('\n'), /### 1\. Overhead/);
  });

  it('runs the sequence section (PNG pipelined/unpipelined, mp4 vs ffmpeg alone, CLI vs in-process)', () => {
    const { result, lines } = quickBench(['--only', 'sequence', '--sequence-size', '320x180'], 240_000);
    const positive = (v: unknown, what: string) =>
      assert.ok(typeof v === 'number' && Number.isFinite(v) && v > 0, `${what} = ${v}`);
    const { png, mp4, cli } = result.sequence;
    assert.equal(result.sequence.width, 320);
    positive(result.pipelined_png_speedup, 'pipelined_png_speedup');
    assert.equal(result.pipelined_png_speedup, png.speedup);
    for (const k of ['pipelined_fps', 'unpipelined_fps', 'ratio']) positive(png[k], `png.${k}`);
    assert.equal(typeof result.targets.pipelined_png_faster, 'boolean');
    // Without ffmpeg the mp4 row is skipped and its key null (the strict rule applies to the video tests).
    if ('skipped' in mp4) assert.equal(result.mp4_ratio_vs_ffmpeg_alone, null);
    else {
      positive(result.mp4_ratio_vs_ffmpeg_alone, 'mp4_ratio_vs_ffmpeg_alone');
      for (const k of ['ours_fps', 'ffmpeg_alone_fps']) positive(mp4[k], `mp4.${k}`);
      // The target's pairs ran in bench child processes; the same pairs in the bench's process are reported.
      assert.equal(result.mp4_ratio_vs_ffmpeg_alone, mp4.ratio);
      assert.equal(result.mp4_ratio_vs_ffmpeg_alone_in_process, mp4.in_process.ratio);
      for (const k of ['ours_fps', 'ffmpeg_alone_fps', 'ratio'])
        positive(mp4.in_process[k], `mp4.in_process.${k}`);
      assert.match(mp4.ffmpeg_args, /-c:v libx264 .*-crf 18 -preset medium/);
      assert.equal(typeof result.targets.mp4_ratio_at_most_1_10, 'boolean');
    }
    assert.equal(cli.skipped, undefined, cli.skipped);
    for (const k of ['cli_ms', 'in_process_ms', 'cli_short_ms', 'in_process_short_ms', 'whole_run_ratio']) {
      positive(cli[k], `cli.${k}`);
    }
    // The steady state is a difference of two runs: finite, but on a loaded machine not necessarily positive.
    assert.ok(Number.isFinite(cli.steady_ratio), `cli.steady_ratio = ${cli.steady_ratio}`);
    assert.equal(result.cli_sequence_ratio_vs_in_process, cli.steady_ratio);
    assert.equal(result.cli_sequence_ratio_vs_in_process_whole_run, cli.whole_run_ratio);
    assert.equal(typeof result.targets.cli_sequence_steady_within_5_percent, 'boolean');
    assert.match(lines.join('\n'), /### 7\. Sequence throughput/);
  });
});
