import { adminModule } from '../admin/index.js';
import { metricsModule } from '../admin/metrics-module.js';
import { operationsAdminModule } from '../admin/routes-admin.js';
import { asyncEngineModule, flowDocumentSchema } from '../asyncengine/index.js';
import { components } from '../components/index.js';
import { directCarryOverModule } from '../components/direct/direct-registry.js';
import { steps } from '../eips/index.js';
import { policyBeansModule } from '../eips/policy/policy-bean.js';
import { languages } from '../languages/index.js';
import { Registry } from '../runtime/registry.js';
import { accessControlModule } from '../server/access-control.js';
import { httpServerModule } from '../server/http-server-module.js';
import { routeOpenApiModule } from '../asyncengine/route-openapi-module.js';

/**
 * The registry of everything this router ships: every language, EIP, component, document kind and module.
 * A new part is its folder plus one line here. Module order is lifecycle order (stop and close run in
 * reverse): the policy beans and direct's reload carry-over first; the async engine, admin and metrics
 * declare their flows and admin areas before access control checks the RBAC file against them; the HTTP
 * server opens last and closes first.
 */
export function createRegistry(): Registry {
  const registry = new Registry();
  for (const language of languages) registry.addLanguage(language);
  for (const step of steps) registry.addStep(step);
  for (const component of components) registry.addComponent(component);
  registry.addDocument('flow', flowDocumentSchema);
  registry.addModule(policyBeansModule);
  registry.addModule(directCarryOverModule);
  registry.addModule(asyncEngineModule);
  registry.addModule(adminModule);
  registry.addModule(operationsAdminModule);
  registry.addModule(metricsModule);
  registry.addModule(routeOpenApiModule);
  registry.addModule(accessControlModule);
  registry.addModule(httpServerModule);
  return registry;
}
