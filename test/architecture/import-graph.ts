/**
 * The import graph of a folder of TypeScript files, read with a regular expression (no parser): every relative
 * `import … from`, `export … from`, side-effect `import '…'` and dynamic `import('…')`, type-only ones included.
 * A type-only or lazy import still ties the two modules together, and hiding a cycle behind one is exactly what
 * the cycle check is meant to refuse.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const IMPORT =
  /(?:^|[\s;{}])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s*)?['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function listTs(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) listTs(p, out);
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function resolveSpecifier(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (candidate.endsWith('.ts') && statSync(candidate).isFile()) return candidate;
    } catch {}
  }
  return undefined;
}

export interface ImportGraph {
  /** file (relative to the root, forward slashes) → the files it imports. */
  edges: Map<string, string[]>;
  /** Relative imports that name no file: `file: specifier`. */
  unresolved: string[];
}

export function importGraph(root: string): ImportGraph {
  const edges = new Map<string, string[]>();
  const unresolved: string[] = [];
  const rel = (p: string) => relative(root, p).split('\\').join('/');
  for (const file of listTs(root)) {
    const deps = new Set<string>();
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2]) as string;
      const target = resolveSpecifier(file, spec);
      if (target === undefined) unresolved.push(`${rel(file)}: ${spec}`);
      else if (target.startsWith(resolve(root))) deps.add(rel(target));
    }
    edges.set(rel(file), [...deps].sort());
  }
  return { edges, unresolved };
}

/** One cycle per strongly connected component of more than one file (or a file importing itself), as a path a → b → … → a. */
export function findCycles(edges: Map<string, string[]>): string[][] {
  // Tarjan's algorithm, then a shortest walk around each component for the message.
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) === order.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (edges.get(v) ?? []).includes(v)) components.push(component.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!order.has(v)) visit(v);
  return components.map((component) => cycleThrough(component[0]!, new Set(component), edges));
}

function cycleThrough(start: string, within: Set<string>, edges: Map<string, string[]>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of edges.get(v) ?? []) {
      if (!within.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = previous.get(u)!) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}
