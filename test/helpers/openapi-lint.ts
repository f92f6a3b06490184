import { createConfig, lintFromString } from '@redocly/openapi-core';

/** Problems redocly's `recommended` ruleset finds in an OpenAPI document, as `severity rule pointer: message`. */
export async function redoclyProblems(document: unknown): Promise<{ errors: string[]; warnings: string[] }> {
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: 'openapi.json', config });
  const line = (p: (typeof problems)[number]): string => `${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`;
  return {
    errors: problems.filter((p) => p.severity === 'error').map(line),
    warnings: problems.filter((p) => p.severity === 'warn').map(line),
  };
}
