import type { LoadDiagnostic } from '../runtime/definitions.js';
import type { LocationIndex, SourceVisitor } from './yaml-source.js';

const PLACEHOLDER = /\{\{(\?)?([^{}]+?)\}\}/g;

export interface PlaceholderSources {
  properties?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
}

/**
 * Resolves Camel property placeholders at load time: `{{key}}`, `{{key:default}}`, `{{env:NAME}}`,
 * `{{env:NAME:default}}`, and the optional `{{?key}}` (empty when unset). A key is looked up in the router
 * properties, then in the environment as written, then as `UPPER_SNAKE` (`partner.url` → `PARTNER_URL`).
 */
export function propertyPlaceholders(sources: PlaceholderSources): {
  visitor: Required<Pick<SourceVisitor, 'mapString'>>;
  diagnostics(locations: LocationIndex): LoadDiagnostic[];
} {
  const properties = sources.properties ?? {};
  const env = sources.env ?? {};
  const missing: { pointer: string; placeholder: string; key: string }[] = [];
  const lookup = (key: string): string | undefined => {
    if (key.startsWith('env:')) return env[key.slice(4)];
    return properties[key] ?? env[key] ?? env[environmentName(key)];
  };
  return {
    visitor: {
      mapString(value: string, pointer: string): string {
        if (!value.includes('{{')) return value;
        return value.replace(PLACEHOLDER, (placeholder, optional: string | undefined, body: string) => {
          const { key, fallback } = splitDefault(body.trim());
          const resolved = lookup(key) ?? fallback;
          if (resolved !== undefined) return resolved;
          if (optional) return '';
          missing.push({ pointer, placeholder, key });
          return placeholder;
        });
      },
    },
    diagnostics(locations) {
      return missing.map(({ pointer, placeholder, key }) => {
        const name = key.startsWith('env:') ? key.slice(4) : key;
        const envName = key.startsWith('env:') ? name : environmentName(key);
        return {
          severity: 'error' as const,
          message: `Property placeholder \`${placeholder}\` has no value`,
          loc: locations.locate(pointer, 'value'),
          expected: key.startsWith('env:')
            ? `the environment variable ${envName}`
            : `a router property \`${name}\` or the environment variable ${envName === name ? name : `${name} / ${envName}`}`,
          hint: `set it, or give a default after a colon: \`{{${key}:default}}\``,
        };
      });
    },
  };
}

/** `{{a:b}}` → key a, default b; but `env:NAME` is a prefix, not a default. */
function splitDefault(body: string): { key: string; fallback?: string } {
  const prefix = body.startsWith('env:') ? 4 : 0;
  const colon = body.indexOf(':', prefix);
  if (colon < 0) return { key: body };
  return { key: body.slice(0, colon), fallback: body.slice(colon + 1) };
}

function environmentName(key: string): string {
  return key.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
}
