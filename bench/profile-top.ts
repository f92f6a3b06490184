/**
 * Where the time goes in a V8 CPU profile (`npm run bench -- --cpu-prof` writes the router's):
 *   npx tsx bench/profile-top.ts <file.cpuprofile> [count] [--skip <s>] [--inclusive] [--callers <function>]
 * Self time per package / source folder and per function; `--inclusive` adds time including callees (the
 * cost of a whole stage: a route step, a JSON parse with its callers); `--skip` leaves out the first
 * seconds (start-up: module loading, schema compilation) so only the steady state is counted;
 * `--callers` shows the call paths leading to one function.
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

const args = process.argv.slice(2);
const valueOf = (flag: string): string | undefined => {
  const at = args.indexOf(flag);
  return at >= 0 ? args[at + 1] : undefined;
};
const withValue = new Set(['--callers', '--skip']);
const positional = args.filter(
  (arg, index) => !arg.startsWith('--') && !withValue.has(args[index - 1] ?? ''),
);
const [file, countText] = positional;
if (!file) {
  process.stderr.write(
    'usage: tsx bench/profile-top.ts <file.cpuprofile> [count] [--skip <s>] [--inclusive] [--callers <fn>]\n',
  );
  process.exit(2);
}
const count = Number(countText ?? 40);
const skipMicros = Number(valueOf('--skip') ?? 0) * 1e6;

const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const selfMicros = new Map<number, number>();
let elapsed = 0;
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  elapsed += delta;
  if (elapsed < skipMicros) return;
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
});
const total = [...selfMicros.values()].reduce((sum, value) => sum + value, 0);
const IDLE = new Set(['(idle)', '(program)', '(garbage collector)']);
const busy = [...selfMicros]
  .filter(([id]) => byId.get(id)!.callFrame.functionName !== '(idle)')
  .reduce((sum, [, value]) => sum + value, 0);

const where = (url: string): string => {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0)
    return url
      .slice(modules + 13)
      .split('/')
      .slice(0, url.includes('/@', modules) ? 2 : 1)
      .join('/');
  const source = url.search(/\/(src|dist)\//);
  if (source >= 0)
    return url
      .slice(source + 1)
      .split('/')
      .slice(0, 3)
      .join('/');
  return url ? url.replace(/^.*\//, '') : '(native / gc / idle)';
};
const frameKey = (node: ProfileNode): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'}  ${url ? `${url.replace(/^.*?(node_modules\/|src\/|dist\/)/, '$1')}:${lineNumber + 1}` : ''}`;
};

const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const node = byId.get(id)!;
  byFunction.set(frameKey(node), (byFunction.get(frameKey(node)) ?? 0) + micros);
  const { functionName, url } = node.callFrame;
  const area = IDLE.has(functionName) ? functionName : where(url);
  byArea.set(area, (byArea.get(area) ?? 0) + micros);
}
const show = (title: string, entries: Map<string, number>, rows: number): void => {
  process.stdout.write(`\n${title}\n`);
  for (const [key, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, rows))
    process.stdout.write(
      `${((micros / total) * 100).toFixed(1).padStart(5)} % ${((micros / busy) * 100).toFixed(1).padStart(5)} % busy ${(micros / 1000).toFixed(0).padStart(7)} ms  ${key}\n`,
    );
};
process.stdout.write(`window: ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s\n`);
show('self time by area', byArea, 25);
show('self time by function', byFunction, count);

if (args.includes('--inclusive')) {
  // Each sample counts once for every distinct frame on its stack (recursion is not double-counted).
  const inclusive = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at)!;
      if (!node.callFrame.url) continue;
      const key = frameKey(node);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + micros);
    }
  }
  show('inclusive time by function', inclusive, count);
}

const wanted = valueOf('--callers');
if (wanted) {
  const paths = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    if (byId.get(id)!.callFrame.functionName !== wanted) continue;
    const frames: string[] = [];
    for (let at = parent.get(id); at !== undefined && frames.length < 12; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      frames.push(
        `${frame.functionName || '(anonymous)'}@${frame.url.replace(/^.*\//, '')}:${frame.lineNumber + 1}`,
      );
    }
    const key = frames.join(' < ');
    paths.set(key, (paths.get(key) ?? 0) + micros);
  }
  show(`callers of ${wanted}`, paths, 12);
}
