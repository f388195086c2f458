/**
 * Descriptors kept for the app's own work. Every socket the lab opens or accepts is a real
 * descriptor of this process, and so are web mode's WebSocket, capture's pipes and the files
 * an import reads. The lab never takes the last DESCRIPTOR_RESERVE of the process's limit: past
 * that, socket() and accept() answer EMFILE (accept leaves the connection in the kernel's queue).
 */
import { readdirSync } from 'node:fs';
import { sysOpenFileLimit } from '../libc';
import { fail, type CallFailure } from './errors';

/** Descriptors below the process limit the lab leaves to the app. */
const DESCRIPTOR_RESERVE = 64;

/** Descriptors this process has open now (Linux: /proc/self/fd), or null where it cannot tell. */
function openDescriptors(): number | null {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}

/** EMFILE when opening one more descriptor would eat into the reserve; otherwise null. */
export function reserveFailure(call: string): CallFailure | null {
  const limit = sysOpenFileLimit();
  const open = openDescriptors();
  if (!limit.ok || open === null || limit.value - open > DESCRIPTOR_RESERVE) return null;
  return fail(
    'EMFILE',
    `${call}: this process has ${open} descriptors open and may have ${limit.value}; the last ${DESCRIPTOR_RESERVE} are kept for SockLab's own work (the page, capture). Close some sockets first.`,
  );
}
