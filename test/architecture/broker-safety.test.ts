/**
 * `npm test` runs against a developer's shared RabbitMQ: nothing it runs may stop the broker, cut other
 * clients' connections or raise its alarms. Those faults belong to `npm run test:faults` (test/faults/).
 * This scans every file `npm test` runs (the spec of .mocharc.json) and every local module they import,
 * and names each broker-wide command it finds with file:line.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SELF = fileURLToPath(import.meta.url);

/**
 * rabbitmqctl / rabbitmq-* commands that act on the whole broker (every client sees them). Targeted ones
 * stay allowed: close_connection of the test's own connection, list_*, await_startup, status, eval of reads.
 */
const BROKER_WIDE = [
  'stop_app',
  'start_app',
  'close_all_connections',
  'close_all_user_connections',
  'set_vm_memory_high_watermark',
  'set_disk_free_limit',
  'suspend_listeners',
  'resume_listeners',
  'force_reset',
  'force_boot',
  'rotate_logs',
  'set_alarm', // rabbit_alarm:set_alarm through eval
  'vm_memory_monitor:set_',
  'rabbit:stop',
  'application:stop',
];
/** Words that are ordinary English in a string, so they count only as a command of rabbitmqctl. */
const BARE_COMMANDS = ['stop', 'shutdown', 'reset', 'restart', 'hibernate'];
const CTL_PROGRAMS = /^(rabbitmqctl|rabbitmq-server|rabbitmq-plugins|rabbitmq-upgrade|rabbitmq-queues)$/;

export interface Finding {
  file: string;
  line: number;
  text: string;
}

function textOf(node: ts.Node | undefined): string | undefined {
  if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) return node.text;
  return undefined;
}

/** The broker-wide commands in one TypeScript source, by line; comments are not looked at. */
export function brokerWideCommands(file: string, source: string): Finding[] {
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const findings: Finding[] = [];
  const report = (node: ts.Node, text: string): void => {
    findings.push({ file, line: tree.getLineAndCharacterOfPosition(node.getStart(tree)).line + 1, text });
  };
  const shell = new RegExp(
    `\\brabbitmq(ctl|-server|-upgrade)\\s+(-\\S+\\s+)*(${BARE_COMMANDS.join('|')})\\b`,
  );
  const visit = (node: ts.Node): void => {
    // Every piece of text: plain strings and the literal parts of templates.
    const texts: string[] = [];
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) texts.push(node.text);
    if (ts.isTemplateExpression(node))
      texts.push(node.head.text, ...node.templateSpans.map((span) => span.literal.text));
    for (const text of texts) {
      if (BROKER_WIDE.some((command) => text.includes(command)) || shell.test(text)) report(node, text);
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression.getText(tree);
      const [first, second] = node.arguments;
      // rabbitmqctl('stop'): the tests' helper.
      const direct = /(^|\.)rabbitmqctl$/.test(callee) ? textOf(first) : undefined;
      // execFile('rabbitmqctl', ['stop']), spawn('rabbitmq-upgrade', ['drain']).
      const program = textOf(first);
      const listed =
        program && CTL_PROGRAMS.test(program) && second && ts.isArrayLiteralExpression(second)
          ? textOf(second.elements.find((element) => !textOf(element)?.startsWith('-')))
          : undefined;
      for (const command of [direct, listed]) {
        if (command && [...BARE_COMMANDS, 'drain'].includes(command)) report(node, command);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(tree);
  return findings;
}

/** A mocha spec glob (`test/**\/*.test.ts`) as a regular expression over paths relative to the root. */
function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (glob.startsWith('**/', i)) {
      pattern += '(?:.*/)?';
      i += 2;
    } else if (char === '*') pattern += '[^/]*';
    else if (char === '?') pattern += '[^/]';
    else pattern += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(full);
    return [full];
  });
}

/** The files `npm test` runs: .mocharc.json's spec globs over the repository. */
export function specFiles(): string[] {
  const config = JSON.parse(readFileSync(path.join(ROOT, '.mocharc.json'), 'utf8')) as {
    spec: string[] | string;
  };
  const globs = (Array.isArray(config.spec) ? config.spec : [config.spec]).map(globToRegExp);
  const roots = new Set(
    (Array.isArray(config.spec) ? config.spec : [config.spec]).map((glob) => glob.split('/')[0]!),
  );
  return [...roots]
    .flatMap((top) => filesUnder(path.join(ROOT, top)))
    .filter((file) => globs.some((glob) => glob.test(path.relative(ROOT, file).split(path.sep).join('/'))));
}

/** The spec files plus every local module they import (transitively), outside node_modules. */
function withLocalImports(entries: string[]): string[] {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), fileName);
      const candidates = [
        target,
        target.replace(/\.js$/, '.ts'),
        `${target}.ts`,
        path.join(target, 'index.ts'),
      ];
      const found = candidates.find((candidate) => /\.[cm]?[jt]s$/.test(candidate) && existsSync(candidate));
      if (found) queue.push(found);
    }
  }
  return [...seen];
}

describe('npm test leaves the shared broker alone', function () {
  it('finds broker-wide commands in a source (the scanner sees what it guards against)', function () {
    const source = [
      "await rabbitmqctl('stop_app');",
      "await rabbitmqctl('close_all_connections', 'why');",
      "execFile('rabbitmqctl', ['set_vm_memory_high_watermark', '0.0001']);",
      "execFile('rabbitmqctl', ['stop']);",
      'execSync(`rabbitmqctl -q shutdown`);',
      "await rabbitmqctl('eval', 'rabbit_alarm:set_alarm({{resource_limit, memory, node()}, []}).');",
      "await rabbitmqctl('close_connection', pid, 'own connection');",
      "await rabbitmqctl('list_queues', 'name');",
      "// rabbitmqctl('stop_app') in a comment is not a call",
      "router.stop(); const label = 'stop';",
    ].join('\n');
    expect(brokerWideCommands('sample.ts', source).map((finding) => finding.line)).to.deep.equal([
      1, 2, 3, 4, 5, 6,
    ]);
  });

  it('no file npm test runs (or imports) stops the broker, closes all connections or raises an alarm', function () {
    const specs = specFiles();
    expect(specs, 'the spec of .mocharc.json matches this file').to.include(SELF);
    const scanned = withLocalImports(specs).filter((file) => file !== SELF);
    const findings = scanned.flatMap((file) =>
      brokerWideCommands(path.relative(ROOT, file), readFileSync(file, 'utf8')),
    );
    expect(
      findings.map((finding) => `${finding.file}:${finding.line}: ${finding.text}`),
      'broker-wide commands belong in test/faults/ (npm run test:faults)',
    ).to.deep.equal([]);
  });
});
