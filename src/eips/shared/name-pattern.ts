/**
 * Camel's name patterns for removeHeaders / removeProperties, tried in order: exact name, wildcard (`*` for any
 * run of characters, e.g. `CamelHttp*`), then a regular expression that must match the whole name.
 */
export type NameMatcher = (name: string) => boolean;

export function compileNamePattern(pattern: string, caseInsensitive: boolean): NameMatcher {
  const flags = caseInsensitive ? 'i' : '';
  const exact = caseInsensitive ? pattern.toLowerCase() : pattern;
  const wildcard = pattern.includes('*')
    ? new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, flags)
    : undefined;
  const regex = safeRegExp(`^(?:${pattern})$`, flags);
  return (name) =>
    (caseInsensitive ? name.toLowerCase() : name) === exact ||
    (wildcard?.test(name) ?? false) ||
    (regex?.test(name) ?? false);
}

function safeRegExp(source: string, flags: string): RegExp | undefined {
  try {
    return new RegExp(source, flags);
  } catch {
    // Not a regular expression (e.g. `Camel*` alone): exact and wildcard matching still apply, as in Camel.
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
