/**
 * Top functions by self time in a V8 CPU profile (`npm run bench -- --cpu-prof` writes the router's):
 *   npx tsx bench/profile-top.ts bench/results/profiles/<run>/CPU.*.cpuprofile [count]
 * Also sums self time per package / source folder, which shows where a message's time goes at a glance.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, countText] = process.argv.slice(2).filter((arg, index, all) => arg !== "--callers" && all[index - 1] !== "--callers");
if (!file) {
  process.stderr.write('usage: tsx bench/profile-top.ts <file.cpuprofile> [count]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, index) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
const total = [...selfMicros.values()].reduce((sum, value) => sum + value, 0);

const where = (url: string): string => {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 13).split('/').slice(0, url.includes('/@', modules) ? 2 : 1).join('/');
  const source = url.indexOf('/src/');
  if (source >= 0) return url.slice(source + 1).split('/').slice(0, 3).join('/');
  return url ? url.replace(/^.*\//, '') : '(native / gc / idle)';
};

const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const node = byId.get(id)!;
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'}  ${url ? `${url.replace(/^.*?(node_modules\/|src\/)/, '$1')}:${lineNumber + 1}` : ''}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  const area = functionName === '(idle)' || functionName === '(program)' || functionName === '(garbage collector)' ? functionName : where(url);
  byArea.set(area, (byArea.get(area) ?? 0) + micros);
}
const show = (title: string, entries: Map<string, number>, count: number): void => {
  process.stdout.write(`\n${title}\n`);
  for (const [key, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, count))
    process.stdout.write(`${((micros / total) * 100).toFixed(1).padStart(5)} %  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${key}\n`);
};
show('self time by area', byArea, 25);
show('self time by function', byFunction, Number(countText ?? 40));

// `--callers <name>`: which call paths lead to a function (by self time), three frames up.
const callersOf = process.argv.indexOf('--callers');
if (callersOf > 0) {
  const wanted = process.argv[callersOf + 1];
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const paths = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    if (byId.get(id)!.callFrame.functionName !== wanted) continue;
    const frames: string[] = [];
    for (let at = parent.get(id); at !== undefined && frames.length < 12; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      frames.push(`${frame.functionName || '(anonymous)'}@${frame.url.replace(/^.*\//, '')}:${frame.lineNumber + 1}`);
    }
    const key = frames.join(' < ');
    paths.set(key, (paths.get(key) ?? 0) + micros);
  }
  show(`callers of ${wanted}`, paths, 12);
}
