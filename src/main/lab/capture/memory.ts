/**
 * Giving a cleared packet store's memory back to the system. The store's bytes live in
 * ArrayBuffers outside V8's heap: dropping them makes them garbage, but V8 frees them only at a
 * full collection (which an idle lab never triggers), and glibc keeps freed blocks in its heap
 * rather than returning them. So after a Clear of a large store SockLab stayed at 1.1-1.3 GB.
 * This runs one full collection, then glibc's malloc_trim(0). Each step is skipped where it
 * cannot be had (no glibc, koffi absent); nothing here can throw.
 */
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;
let trim: ((pad: number) => number) | null | undefined;

/** V8's full collection: `--expose-gc` set at run time installs gc() in new contexts only. */
function fullCollection(): (() => void) | null {
  if (collect !== undefined) return collect;
  try {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  } catch {
    collect = null;
  }
  return collect;
}

/** glibc's malloc_trim, through koffi (already a dependency for the lab's raw sockets). */
function mallocTrim(): ((pad: number) => number) | null {
  if (trim !== undefined) return trim;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    trim = koffi.load('libc.so.6').func('int malloc_trim(size_t)') as (pad: number) => number;
  } catch {
    trim = null;
  }
  return trim;
}

/** Returns memory freed by dropping large buffers to the system (a few ms to tens of ms). */
export function returnFreedMemory(): void {
  try {
    fullCollection()?.();
    mallocTrim()?.(0);
  } catch {
    // Best effort: memory is returned later by V8 and glibc on their own.
  }
}
