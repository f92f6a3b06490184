import type { StepSpec } from '../runtime/step.js';
import { toStep } from './to/index.js';
import { toDStep } from './to-d/index.js';
import { setBodyStep } from './set-body/index.js';
import { transformStep } from './transform/index.js';
import { setHeaderStep } from './set-header/index.js';
import { setPropertyStep } from './set-property/index.js';
import { setVariableStep } from './set-variable/index.js';
import { removeHeaderStep } from './remove-header/index.js';
import { removeHeadersStep } from './remove-headers/index.js';
import { removePropertyStep } from './remove-property/index.js';
import { removePropertiesStep } from './remove-properties/index.js';
import { logStep } from './log/index.js';
import { choiceStep } from './choice/index.js';
import { filterStep } from './filter/index.js';
import { splitStep } from './split/index.js';
import { multicastStep } from './multicast/index.js';
import { wireTapStep } from './wire-tap/index.js';
import { stopStep } from './stop/index.js';
import { doTryStep } from './do-try/index.js';
import { throwExceptionStep } from './throw-exception/index.js';
import { convertBodyToStep } from './convert-body-to/index.js';
import { policyStep } from './policy/index.js';
import { circuitBreakerStep } from './circuit-breaker/index.js';

export { drainWireTaps } from '../runtime/in-flight-wire-taps.js';
export { BUILT_IN_STRATEGIES } from './shared/aggregation.js';

/** Every EIP the router knows, by YAML keyword. */
export const steps: StepSpec[] = [
  toStep,
  toDStep,
  setBodyStep,
  transformStep,
  setHeaderStep,
  setPropertyStep,
  setVariableStep,
  removeHeaderStep,
  removeHeadersStep,
  removePropertyStep,
  removePropertiesStep,
  logStep,
  choiceStep,
  filterStep,
  splitStep,
  multicastStep,
  wireTapStep,
  stopStep,
  doTryStep,
  throwExceptionStep,
  convertBodyToStep,
  policyStep,
  circuitBreakerStep,
];
