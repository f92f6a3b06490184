import type { LoadDiagnostic } from '../runtime/definitions.js';
import { pointerChild, pointerSegments } from './json-pointer.js';
import type { LocationIndex, SourceVisitor } from './yaml-source.js';

/**
 * Maps whose keys are the user's data, not DSL keywords: endpoint options, bean properties and constructor
 * arguments, OpenAPI security definitions. Their keys are kept as written (`arg.queue.x-max-length`).
 */
const USER_DATA_MAPS = new Set(['parameters', 'properties', 'constructors', 'securityDefinitions']);

/** Top-level documents owned by other parts of the router, read verbatim. */
const VERBATIM_DOCUMENTS = new Set(['flow']);

const KEBAB = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/;

export function camelCase(key: string): string {
  return key.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Camel 3 documented kebab-case keys (`set-header`, `dead-letter-uri`); Camel 4 rejects them. They are read
 * as camelCase with a warning so old files keep loading while their authors are told what to write.
 */
export function kebabCaseKeys(): { visitor: Required<Pick<SourceVisitor, 'renameKey'>>; diagnostics(locations: LocationIndex): LoadDiagnostic[] } {
  const found: { pointer: string; written: string; key: string }[] = [];
  return {
    visitor: {
      renameKey(key: string, parentPointer: string): string | undefined {
        if (!KEBAB.test(key)) return undefined;
        const segments = pointerSegments(parentPointer);
        if (VERBATIM_DOCUMENTS.has(segments[1] ?? '')) return undefined;
        if (segments.some((segment) => USER_DATA_MAPS.has(segment))) return undefined;
        const renamed = camelCase(key);
        found.push({ pointer: pointerChild(parentPointer, renamed), written: key, key: renamed });
        return renamed;
      },
    },
    diagnostics(locations) {
      return found.map(({ pointer, written, key }) => ({
        severity: 'warning' as const,
        message: `kebab-case key \`${written}\` read as \`${key}\``,
        loc: locations.locate(pointer),
        hint: `Camel 4 accepts camelCase keys only; write \`${key}\``,
      }));
    },
  };
}
