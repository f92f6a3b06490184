import type { FlowStepObserver } from '../asyncengine/flow-engine.js';
import type { RouterServices } from '../runtime/services.js';
import { routerMetrics } from './metrics.js';

/** The flow engine's step events as `pipes_flow_step_events_total` and `pipes_flow_step_duration_seconds`. */
export function flowStepMetrics(services: Pick<RouterServices, 'shared'>): FlowStepObserver {
  const metrics = routerMetrics(services);
  return ({ flow, step, kind, count, durationMs }) => {
    metrics.flowStep(flow, step, kind, count ?? 1, durationMs === undefined ? undefined : durationMs / 1000);
  };
}
