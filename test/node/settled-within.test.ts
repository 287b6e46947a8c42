/** settledWithin: the one wait-with-a-limit of the supervisor and the farm worker. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { settledWithin } from '../../src/node/settled-within.ts';

test('settledWithin: true when the promise wins, false when the limit does; a rejection passes through', async () => {
  assert.equal(await settledWithin(Promise.resolve(), 60_000), true);
  assert.equal(await settledWithin(new Promise(() => {}), 1), false);
  await assert.rejects(settledWithin(Promise.reject(new Error('boom')), 60_000), /boom/);
});

test('settledWithin: a limit too long for a timer waits for the promise instead of firing at once', async () => {
  // setTimeout clamps delays above 2^31-1 ms to 1 ms: a naive race would report false here.
  const later = new Promise<void>((resolve) => setTimeout(resolve, 20));
  assert.equal(await settledWithin(later, Number.POSITIVE_INFINITY), true);
  assert.equal(await settledWithin(new Promise<void>((r) => setTimeout(r, 20)), 2 ** 32), true);
});
