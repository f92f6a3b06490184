import type { ConsumeOptions } from './transport.js';

export function validateConsumeOptions(options: ConsumeOptions): void {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(
      `consume(${options.queue}): concurrency must be a whole number ≥ 1, got ${options.concurrency}`,
    );
  }
  if (!Number.isInteger(options.prefetch) || options.prefetch < options.concurrency) {
    throw new RangeError(
      `consume(${options.queue}): prefetch must be a whole number ≥ concurrency (${options.concurrency}), got ${options.prefetch}`,
    );
  }
}
