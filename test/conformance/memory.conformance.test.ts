import { MemoryTransport } from '../../src/transport/memory/memory-transport.js';
import { describeTransportConformance, quietLogger } from './transport.suite.js';

describeTransportConformance('memory', () => new MemoryTransport({ logger: quietLogger() }));
