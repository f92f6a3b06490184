import { buildRoutes } from '../builder/route-builder.js';
import { loadRouteSet } from '../dsl/load-route-set.js';
import type { LoadedRouteSet } from '../runtime/running-set.js';
import type { RouterServices } from '../runtime/services.js';

/**
 * Loads and builds route files; returns the built routes and every diagnostic, starting nothing.
 * The modules' beforeBuild hooks run between loading and building (the policy beans, access control from
 * the RBAC file); afterBuild hooks run after it, unless `modules: 'before-only'` (a reload: modules build
 * their own parts once, at start).
 */
export async function loadAndBuild(
  services: RouterServices,
  options: { modules?: 'all' | 'before-only' } = {},
): Promise<LoadedRouteSet> {
  const routeSet = await loadRouteSet(services.config.routes, {
    registry: services.registry,
    properties: services.config.properties,
  });
  const diagnostics = [...routeSet.diagnostics];
  // Building routes whose files did not parse would only repeat the same problems in other words.
  if (diagnostics.some((d) => d.severity === 'error')) return { routeSet, routes: [], diagnostics };
  for (const module of services.registry.modules) diagnostics.push(...(module.beforeBuild?.(routeSet, services) ?? []));
  const built = buildRoutes(routeSet, services);
  diagnostics.push(...built.diagnostics);
  if (options.modules !== 'before-only') {
    for (const module of services.registry.modules) {
      diagnostics.push(...((await module.afterBuild?.(routeSet, built.routes, services)) ?? []));
    }
  }
  return { routeSet, routes: built.routes, diagnostics };
}
