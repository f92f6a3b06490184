import type { ComponentSpec, Endpoint, Producer } from './component.js';
import type { RouteDefinition } from './definitions.js';
import type { Logger } from '../observability/logger.js';
import type { Processor } from './processor.js';

/** A route compiled and ready to start: its consumer endpoint, its processor and the producers it uses. */
export interface BuiltRoute {
  definition: RouteDefinition;
  from: Endpoint;
  component: ComponentSpec;
  processor: Processor;
  producers: Producer[];
  logger: Logger;
}
