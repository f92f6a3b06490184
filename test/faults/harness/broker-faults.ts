/**
 * Faults of the shared broker. Every one is short and always undone in `finally`, and the broker is
 * checked to answer before the function returns: other engineers' tests use the same broker.
 */
import { Connection } from 'rabbitmq-client';
import { brokerUrl, isBrokerReachable, rabbitmqctl } from '../../helpers/broker.js';
import { pause } from './load.js';

/** The watermark the broker runs with, read before an alarm is raised so exactly it is put back. */
async function currentWatermark(): Promise<string> {
  const raw = (await rabbitmqctl('eval', 'vm_memory_monitor:get_vm_memory_high_watermark().')).trim();
  return /^\d+(\.\d+)?$/.test(raw) ? raw : '0.4';
}

/** Waits until the broker takes an AMQP connection (not just TCP), bounded. */
export async function awaitBroker(timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await isBrokerReachable()) {
      const probe = new Connection({ url: brokerUrl(), connectionName: 'faults: broker check', retryLow: 200, retryHigh: 500 });
      probe.on('error', () => undefined);
      try {
        await probe.onConnect(5000);
        return;
      } catch {
        // not yet
      } finally {
        await probe.close().catch(() => undefined);
      }
    }
    if (Date.now() > deadline) throw new Error('the broker does not answer AMQP after the fault');
    await pause(250);
  }
}

export async function closeAllConnections(): Promise<void> {
  // Another suite on this machine may have the broker restarting: wait for it rather than fail on it.
  await awaitBroker();
  await rabbitmqctl('close_all_connections', 'fault suite: connections closed on purpose');
}

/** stop_app, `holdMs` down, start_app; returns when the broker answers again. */
export async function restartBrokerApp(holdMs: number): Promise<void> {
  try {
    await rabbitmqctl('stop_app');
    await pause(holdMs);
  } finally {
    await rabbitmqctl('start_app');
    await rabbitmqctl('await_startup');
    await awaitBroker();
  }
}

/**
 * Raises the memory alarm (every publishing connection blocked) for `holdMs`, while `during` runs, then
 * clears it. The watermark is always restored.
 */
export async function memoryAlarm(holdMs: number, during: () => Promise<void> = async () => undefined): Promise<void> {
  const watermark = await currentWatermark();
  try {
    await rabbitmqctl('set_vm_memory_high_watermark', '0.0000001');
    await Promise.all([pause(holdMs), during()]);
  } finally {
    await rabbitmqctl('set_vm_memory_high_watermark', watermark);
    await awaitBroker();
  }
}

/** Whether the memory alarm is raised now (to make sure it was really cleared). */
export async function memoryAlarmRaised(): Promise<boolean> {
  const out = await rabbitmqctl('eval', 'rabbit_alarm:get_alarms().');
  return out.includes('memory');
}
