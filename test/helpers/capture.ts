/**
 * Helpers for integration tests that capture on `lo` through a real lab: start a capture with a
 * BPF filter, and wait (bounded polling, never a fixed sleep) until packets have arrived.
 */
import type { PacketRow } from '@shared/capture';
import type { Lab } from '../../src/main/lab/index';
import { call, ok } from './lab';

/** Starts capturing on lo with `filter` (a new capture: the store and its ties start empty). */
export async function captureOnLo(lab: Lab, filter: string): Promise<void> {
  const status = ok(await call(lab, 'capture.start', { iface: 'lo', filter })).value;
  if (!status.running) throw new Error(`capture did not start: ${status.error}`);
}

/**
 * Polls capture.rows until at least `count` rows match the display filter, or about `timeoutMs`
 * passed; returns the rows seen last (the caller's assertions say what was missing).
 */
export async function rowsWhen(lab: Lab, count: number, filter = '', timeoutMs = 15_000): Promise<PacketRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = ok(await call(lab, 'capture.rows', { offset: 0, limit: 5000, filter })).value;
    if ((answer.total >= count && answer.pending === 0) || Date.now() > deadline) return answer.rows;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A row's TCP flags as the info column shows them: `[SYN, ACK]`, `[ACK]`, or '' when none. */
export function flagsOf(row: PacketRow): string {
  return /\[([A-Z, ]+)\]/.exec(row.info)?.[1] ?? '';
}
