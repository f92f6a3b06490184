import { components } from './components/index.js';
import { steps } from './eips/index.js';
import { languages } from './languages/index.js';
import { Registry } from './runtime/registry.js';
import { asyncEngineModule, flowDocumentSchema } from './asyncengine/index.js';
import { adminModule } from './admin/index.js';
import { operationsAdminModule } from './admin/routes-admin.js';
import { metricsModule } from './observability/metrics-module.js';
import { routeOpenApiModule } from './server/route-openapi-module.js';

/** The registry of everything this router ships: every component, EIP and language. */
export function createRegistry(): Registry {
  const registry = new Registry();
  for (const language of languages) registry.addLanguage(language);
  for (const step of steps) registry.addStep(step);
  for (const component of components) registry.addComponent(component);
  registry.addDocument('flow', flowDocumentSchema);
  registry.addModule(asyncEngineModule);
  registry.addModule(adminModule);
  registry.addModule(operationsAdminModule);
  registry.addModule(metricsModule);
  registry.addModule(routeOpenApiModule);
  return registry;
}
