import type { DeliveredMessage, OutboundMessage } from '../transport/transport.js';
import { UnrecoverableError } from '../errors/index.js';

/**
 * What travels on a step queue. The engine writes it and reads it back; step code sees the payload and a
 * read-only context, so it can neither lose nor change the correlation id.
 */
export interface FlowEnvelope {
  correlationId: string;
  flowName: string;
  step: string;
  payload: unknown;
  /** Additional properties given at start; passed unchanged from step to step. */
  properties: Record<string, unknown>;
  chunk?: { index: number; count: number; offset: number };
}

/** AMQP message id of a step message: duplicates of one message share it, so consumers can spot them. */
export function stepMessageId(envelope: FlowEnvelope, suffix: string): string {
  const chunk = envelope.chunk ? `c${envelope.chunk.index}` : suffix;
  return `${envelope.correlationId}:${envelope.step}:${chunk}`;
}

/** The persistent, confirmed message that puts an envelope on a queue. */
export function envelopeMessage(queue: string, envelope: FlowEnvelope, suffix = '1'): OutboundMessage {
  return {
    exchange: '',
    routingKey: queue,
    body: Buffer.from(JSON.stringify(envelope)),
    contentType: 'application/json',
    messageId: stepMessageId(envelope, suffix),
    correlationId: envelope.correlationId,
    type: 'pipes.flow.step',
  };
}

/** Reads an envelope back; a message that is not one is bad data, never worth a retry. */
export function readEnvelope(message: DeliveredMessage): FlowEnvelope {
  let value: unknown;
  try {
    value = JSON.parse(message.body.toString('utf8'));
  } catch (error) {
    throw new UnrecoverableError(`Not a flow message: the body is not JSON (${(error as Error).message})`);
  }
  const envelope = value as Partial<FlowEnvelope> | null;
  if (
    !envelope ||
    typeof envelope !== 'object' ||
    typeof envelope.correlationId !== 'string' ||
    typeof envelope.flowName !== 'string' ||
    typeof envelope.step !== 'string'
  ) {
    throw new UnrecoverableError('Not a flow message: correlationId, flowName and step are required');
  }
  return {
    correlationId: envelope.correlationId,
    flowName: envelope.flowName,
    step: envelope.step,
    payload: envelope.payload ?? null,
    properties: envelope.properties && typeof envelope.properties === 'object' ? envelope.properties : {},
    ...(envelope.chunk ? { chunk: envelope.chunk } : {}),
  };
}
