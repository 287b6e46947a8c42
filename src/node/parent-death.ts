/**
 * A supervised child process never outlives its parent. 'disconnect' covers a parent that exits while the
 * child is idle; a child blocked in a GL call hears no event, so on Linux the kernel is also asked to SIGKILL
 * it when the parent dies (PR_SET_PDEATHSIG).
 */
import { createRequire } from 'node:module';

export function dieWithParent(parentPid: number | undefined): void {
  process.on('disconnect', () => process.exit(0));
  if (process.platform !== 'linux') return;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    const libc = koffi.load('libc.so.6');
    const prctl = libc.func(
      'int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)',
    );
    const PR_SET_PDEATHSIG = 1;
    prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0);
  } catch {
    // no prctl (another libc): 'disconnect' still ends an idle child
  }
  // The parent may have died before prctl took effect.
  if (parentPid !== undefined && process.ppid !== parentPid) process.exit(0);
}
