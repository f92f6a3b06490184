/**
 * Paths into a loaded route file. Internally a node is addressed by a JSON Pointer (`/0/route/from/steps/2`,
 * the form ajv reports as `instancePath`); users see the YAML path (`[0].route.from.steps[2]`).
 */

export function pointerChild(pointer: string, segment: string | number): string {
  return `${pointer}/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function pointerParent(pointer: string): string {
  const slash = pointer.lastIndexOf('/');
  return slash <= 0 ? '' : pointer.slice(0, slash);
}

export function pointerLast(pointer: string): string {
  const segments = pointerSegments(pointer);
  return segments[segments.length - 1] ?? '';
}

/** The value at `pointer` in `data`, or undefined. */
export function valueAt(data: unknown, pointer: string): unknown {
  let node = data;
  for (const segment of pointerSegments(pointer)) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (node && typeof node === 'object') node = (node as Record<string, unknown>)[segment];
    else return undefined;
  }
  return node;
}

/** `[0].route.from.steps[2].setHeader`: array positions in brackets, odd keys quoted. */
export function yamlPath(data: unknown, pointer: string): string {
  let node = data;
  let path = '';
  for (const segment of pointerSegments(pointer)) {
    if (Array.isArray(node)) {
      path += `[${segment}]`;
      node = node[Number(segment)];
    } else {
      path += /^[A-Za-z_$][\w$-]*$/.test(segment) ? `${path ? '.' : ''}${segment}` : `[${JSON.stringify(segment)}]`;
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}
