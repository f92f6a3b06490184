import type { ComponentSpec } from '../runtime/component.js';
import { directComponent } from './direct/index.js';
import { jsonValidatorComponent } from './json-validator/index.js';
import { jsonataComponent } from './jsonata/index.js';
import { logComponent } from './log/index.js';
import { mockComponent } from './mock/index.js';
import { platformHttpComponent } from './platform-http/index.js';
import { restComponent } from './rest/index.js';
import { springRabbitComponent } from './spring-rabbitmq/index.js';
import { timerComponent } from './timer/index.js';
import { httpComponent, httpsComponent } from './http/index.js';

/** Every component this router ships, one per URI scheme. */
export const components: ComponentSpec[] = [
  directComponent,
  jsonValidatorComponent,
  jsonataComponent,
  logComponent,
  mockComponent,
  platformHttpComponent,
  restComponent,
  springRabbitComponent,
  timerComponent,
  httpComponent,
  httpsComponent,
] as unknown as ComponentSpec[];
