// Where a CPU profile (.cpuprofile, from the inspector or --cpu-prof) spends its samples: self time by
// function and by module, so a benchmark run can say which layer of the prober costs what.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number(), columnNumber: z.number() }),
      hitCount: z.number().optional(),
    }),
  ),
  startTime: z.number(),
  endTime: z.number(),
  samples: z.array(z.number()).optional(),
});

export interface ProfileShare {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  /** Sampled time not idle, in ms. */
  busyMs: number;
  byFunction: ProfileShare[];
  byModule: ProfileShare[];
}

/** A short name for where code lives: a package, a Vigil source file, a Node built-in, or a V8 bucket. */
function moduleOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  // Vigil compiled for the benchmark (vigil-build.ts): name it after its source file.
  const compiled = /node_modules\/\.cache\/vigil-bench-prober\/(.+)\.js$/.exec(url)?.[1];
  if (compiled) return `${compiled}.ts`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  const vigil = /\/(src\/.+|bench\/.+)$/.exec(url)?.[1];
  if (vigil) return vigil;
  const builtin = /^node:(?:internal\/)?(.+)$/.exec(url)?.[1];
  return builtin ? `node:${builtin}` : url;
}

function top(totals: Map<string, number>, busy: number, limit: number): ProfileShare[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, ms]) => ({ name, ms, share: busy > 0 ? ms / busy : 0 }));
}

export function summarizeProfile(path: string, limit = 20): ProfileSummary {
  const profile = profileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  const hits = new Map<number, number>();
  if (profile.samples) for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const node of profile.nodes) hits.set(node.id, node.hitCount ?? 0);
  const totalHits = [...hits.values()].reduce((a, b) => a + b, 0);
  const msPerHit = totalHits > 0 ? (profile.endTime - profile.startTime) / 1000 / totalHits : 0;
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const count = hits.get(node.id) ?? 0;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    if (count === 0 || functionName === '(idle)') continue;
    const ms = count * msPerHit;
    busy += ms;
    const module = moduleOf(url, functionName);
    const name = `${functionName || '(anonymous)'} ${module}${url ? `:${lineNumber + 1}:${columnNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    byModule.set(module, (byModule.get(module) ?? 0) + ms);
  }
  return { busyMs: busy, byFunction: top(byFunction, busy, limit), byModule: top(byModule, busy, limit) };
}
