/**
 * Optional peer dependencies of the command line. BullMQ (the render farm: `--redis`, `isf worker`) is one: most
 * users never run a farm, so `npm install isf-renderer` does not install it, and the farm's modules are imported
 * only when a farm command runs, through here.
 */
import { ISFError } from '../core/errors.ts';

/**
 * `load()` (a dynamic import of a module that imports `pkg`), or PACKAGE_MISSING naming the package and how to
 * install it when `pkg` is not installed. Any other failure passes through unchanged.
 */
export async function importNeeding<T>(pkg: string, feature: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err?.code === 'ERR_MODULE_NOT_FOUND' && new RegExp(`['"]${pkg}['"/]`).test(err.message)) {
      throw new ISFError(
        'PACKAGE_MISSING',
        `${feature} needs the package ${pkg}, which is not installed (it is an optional peer dependency of isf-renderer)`,
        { suggestion: `npm install ${pkg}`, cause: e },
      );
    }
    throw e;
  }
}
