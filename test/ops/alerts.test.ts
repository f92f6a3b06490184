/** The shipped alert rules parse, and name only metrics and labels the router exports. */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { RouterMetrics } from '../../src/observability/metrics.js';

interface Rule {
  alert?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

describe('ops: Prometheus alert rules (ops/prometheus-alerts.yml)', () => {
  const file = parse(readFileSync('ops/prometheus-alerts.yml', 'utf8')) as { groups: { name: string; rules: Rule[] }[] };
  const rules = file.groups.flatMap((group) => group.rules);
  const exported = new Map<string, Set<string>>();
  for (const metric of new RouterMetrics().registry.getMetricsAsArray()) {
    const { name, labelNames, type } = metric as unknown as { name: string; labelNames: string[]; type: string };
    const names = type === 'histogram' ? [name, `${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
    for (const n of names) exported.set(n, new Set([...labelNames, ...(n.endsWith('_bucket') ? ['le'] : [])]));
  }

  it('covers what the operator is promised: failure ratio, backlog, open breaker, dead letters, broker down', () => {
    const names = rules.map((r) => r.alert);
    expect(names).to.include.members([
      'PipesRouteFailureRatioHigh',
      'PipesQueueBacklog',
      'PipesCircuitBreakerOpen',
      'PipesDeadLettersGrowing',
      'PipesBrokerDisconnected',
    ]);
    const byName = new Map(rules.map((r) => [r.alert, r]));
    expect(byName.get('PipesRouteFailureRatioHigh')!.expr).to.match(/> 0\.01/).and.match(/\[5m\]/);
    expect(byName.get('PipesQueueBacklog')!.expr).to.match(/> 1000/);
  });

  it('gives every rule an expression, a severity and a summary', () => {
    for (const rule of rules) {
      expect(rule.alert, JSON.stringify(rule)).to.match(/^Pipes[A-Za-z]+$/);
      expect(rule.expr, rule.alert).to.be.a('string').and.not.equal('');
      expect(rule.labels?.severity, rule.alert).to.be.oneOf(['info', 'warning', 'critical']);
      expect(rule.annotations?.summary, rule.alert).to.be.a('string');
      if (rule.for !== undefined) expect(rule.for, rule.alert).to.match(/^\d+[smh]$/);
    }
  });

  it('uses only metric names and label names the router exports', () => {
    for (const rule of rules) {
      for (const match of rule.expr!.matchAll(/\b(pipes_[a-z_]+)(\{([^}]*)\})?/g)) {
        const name = match[1]!;
        expect(exported.has(name), `${rule.alert}: ${name} is not exported`).to.equal(true);
        for (const selector of (match[3] ?? '').split(',').filter(Boolean)) {
          const label = selector.trim().split(/[=!~]/)[0]!;
          expect(exported.get(name)!.has(label), `${rule.alert}: ${name} has no label ${label}`).to.equal(true);
        }
      }
    }
  });
});
