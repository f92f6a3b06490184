import type { StateHolder } from '../state/index.js';
import type { FlowStepObserver } from './flow-engine.js';
import { routerMetrics } from '../observability/metrics.js';

/** The flow engine's step events as `pipes_flow_step_events_total` and `pipes_flow_step_duration_seconds`. */
export function flowStepMetrics(services: StateHolder): FlowStepObserver {
  const metrics = routerMetrics(services);
  return ({ flow, step, kind, count, durationMs }) => {
    metrics.flowStep(flow, step, kind, count ?? 1, durationMs === undefined ? undefined : durationMs / 1000);
  };
}
