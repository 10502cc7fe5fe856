// `tsx bench/profile-summary.ts FILE.cpuprofile [--top 25]`: the hot spots of a V8 CPU profile (from
// `node --cpu-prof`, e.g. `npm run bench:prep -- --profile`): self time per function, and total time
// (self + callees) per phikit source file, so a slow stage shows up by name.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});
if (positionals.length !== 1) {
  console.error('usage: tsx bench/profile-summary.ts FILE.cpuprofile [--top 25]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as CpuProfile;
const top = Number(flags.top);

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const selfMicros = new Map<number, number>();
let totalMicros = 0;
for (const [index, id] of profile.samples.entries()) {
  const delta = profile.timeDeltas[index] ?? 0;
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
  totalMicros += delta;
}

const shortUrl = (url: string): string =>
  url.replace(/^file:\/\/.*?\/(src|dist|node_modules|bench)\//, '$1/').replace(/^node:/, 'node:');
const label = (node: ProfileNode): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim();
};

// Self time per function.
const selfByLabel = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const key = label(byId.get(id)!);
  selfByLabel.set(key, (selfByLabel.get(key) ?? 0) + micros);
}

// Total time per source file and per phikit function: a sample counts once for every distinct
// file (function) on its stack.
const totalByFile = new Map<string, number>();
const totalByFunction = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const files = new Set<string>();
  const functions = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const node = byId.get(at)!;
    const url = node.callFrame.url;
    if (/\/(src|dist|node_modules)\//.test(url)) files.add(shortUrl(url));
    if (/\/(src|dist)\//.test(url) || url.endsWith('.cjs')) functions.add(label(node));
  }
  for (const file of files) totalByFile.set(file, (totalByFile.get(file) ?? 0) + micros);
  for (const name of functions) totalByFunction.set(name, (totalByFunction.get(name) ?? 0) + micros);
}

const print = (title: string, entries: Map<string, number>): void => {
  console.log(`\n${title} (of ${(totalMicros / 1e6).toFixed(2)} s sampled)`);
  for (const [key, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const share = ((100 * micros) / totalMicros).toFixed(1).padStart(5);
    console.log(`${share}%  ${(micros / 1e6).toFixed(2).padStart(6)} s  ${key}`);
  }
};
print('self time by function', selfByLabel);
print('total time by file (self + callees)', totalByFile);
print('total time by phikit function (self + callees)', totalByFunction);
