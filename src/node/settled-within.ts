/** Largest delay setTimeout honours; a longer one fires at once (Node clamps it to 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * True when `p` settled (resolved) within `ms`, false when the time ran out first; a rejection of `p` passes
 * through. A limit too long for a timer (Infinity among them) waits for `p` itself: setTimeout would fire at once.
 */
export async function settledWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  if (ms > MAX_TIMER_MS) {
    await p;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
