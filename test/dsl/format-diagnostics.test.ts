import { expect } from 'chai';
import path from 'node:path';
import { formatDiagnostics } from '../../src/dsl/format-diagnostics.js';
import type { LoadDiagnostic } from '../../src/runtime/definitions.js';

describe('dsl: formatDiagnostics', () => {
  const cwd = '/srv/router';
  const loc = (file: string, line: number, col: number, p: string) => ({ file: path.join(cwd, file), line, col, path: p });

  it('prints errors and warnings sorted by file and position, relative to cwd, with their details', () => {
    const diagnostics: LoadDiagnostic[] = [
      { severity: 'warning', message: 'kebab-case key `set-header` read as `setHeader`', loc: loc('routes/b.yaml', 3, 5, '[0].from.steps[0].setHeader'), hint: 'write `setHeader`' },
      {
        severity: 'error',
        message: 'Unknown EIP `setheader`',
        loc: loc('routes/a.yaml', 12, 7, '[0].route.from.steps[2].setheader'),
        expected: 'an EIP: choice, setHeader',
        suggestions: ['setHeader'],
        snippet: '- setHeader:\n    name: kind',
      },
      { severity: 'error', message: 'Route path not found: nope' },
      { severity: 'error', message: 'Unknown top-level key `rout`', loc: loc('routes/a.yaml', 1, 3, '[0].rout') },
    ];
    expect(formatDiagnostics(diagnostics, cwd)).to.equal(
      [
        'error: Route path not found: nope',
        'routes/a.yaml:1:3 error: Unknown top-level key `rout`',
        '  at: [0].rout',
        'routes/a.yaml:12:7 error: Unknown EIP `setheader`',
        '  at: [0].route.from.steps[2].setheader',
        '  expected: an EIP: choice, setHeader',
        '  did you mean: setHeader',
        '  snippet:',
        '    - setHeader:',
        '        name: kind',
        'routes/b.yaml:3:5 warning: kebab-case key `set-header` read as `setHeader`',
        '  at: [0].from.steps[0].setHeader',
        '  hint: write `setHeader`',
        '3 errors, 1 warning',
      ].join('\n'),
    );
  });

  it('keeps paths outside cwd absolute', () => {
    const text = formatDiagnostics([{ severity: 'error', message: 'x', loc: { file: '/elsewhere/r.yaml', line: 1, col: 1, path: '' } }], cwd);
    expect(text).to.equal('/elsewhere/r.yaml:1:1 error: x\n1 error, 0 warnings');
  });

  it('counts notes apart from warnings, and only mentions them when there are some', () => {
    const text = formatDiagnostics(
      [
        { severity: 'warning', message: 'w', loc: { file: '/srv/router/routes/a.yaml', line: 2, col: 1, path: '' } },
        { severity: 'note', message: 'n', loc: { file: '/srv/router/rbac.yaml', line: 4, col: 3, path: 'roles.x.permissions[1]' } },
      ],
      cwd,
    );
    expect(text).to.equal('rbac.yaml:4:3 note: n\n  at: roles.x.permissions[1]\nroutes/a.yaml:2:1 warning: w\n0 errors, 1 warning, 1 note');
  });
});
