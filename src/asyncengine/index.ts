export { asyncEngineModule, flowEngine, AsyncEngineProperties, asyncApiPermission } from './module.js';
export { flowDocumentSchema } from './flow-schema.js';
export { FlowEngine, type StartResult, type RedriveReport } from './flow-engine.js';
export { MemoryRunStore, type RunStore, type RunRecord, type RunState } from './run-store.js';
export { RedisRunStore } from './redis-run-store.js';
export { signBody, verifySignature, SIGNATURE_HEADER } from './callbacks.js';
export { openApiDocument } from './openapi.js';
