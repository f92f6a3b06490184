import type { StateHolder } from '../../src/state/index.js';

/**
 * A piece of router state by its declared name, for tests that look inside a component (e.g. that schemas
 * are compiled once). Product code reaches state through its typed key only.
 */
export function stateNamed(holder: StateHolder, name: string): unknown {
  return holder.state.peekAt({ name, scope: 'router' }) ?? holder.state.peekAt({ name, scope: 'route-set' });
}
