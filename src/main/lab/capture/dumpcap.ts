/**
 * Capture through Wireshark's `dumpcap`, the least-privilege path on Linux: dumpcap alone holds
 * CAP_NET_RAW (Debian gives it to the `wireshark` group), SockLab holds nothing. dumpcap writes
 * pcapng to a pipe (`-w -`); the stream reader turns it into the same packets libpcap gives the
 * cap backend, with the kernel's timestamps and original lengths, and its closing Interface
 * Statistics Block gives the kernel's drop count.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { PcapngStreamReader, type InterfaceStats } from '../pcap/pcapng-stream';
import type { CapturedPacket } from '../pcap/types';

export interface DumpcapOptions {
  /** dumpcap's path (from the privilege facts). */
  dumpcap: string;
  iface: string;
  /** A libpcap capture filter ('' for none). */
  filter: string;
  snaplen?: number;
  /** Kernel buffer in MiB (dumpcap's -B). */
  bufferMiB?: number;
  /** Each packet as it arrives; `data` is valid only during the call (copy out of it). */
  onPacket(packet: CapturedPacket): void;
  /** The drop counters dumpcap writes when it stops. */
  onStats?(stats: InterfaceStats): void;
  /** dumpcap ended on its own (an error after start, or the interface went away). */
  onEnd?(message: string | null): void;
}

export interface DumpcapCapture {
  /** The capture's link type (LINKTYPE_* number), from dumpcap's interface block. */
  readonly linkType: number;
  readonly pid: number;
  /** Stops dumpcap (SIGTERM: it writes its statistics, then exits) and resolves once it has. */
  stop(): Promise<void>;
}

/** How long dumpcap may take to open the interface before the start counts as failed. */
const START_TIMEOUT_MS = 10_000;
/** How much of dumpcap's stderr is kept for an error message. */
const STDERR_LIMIT = 4096;

/** dumpcap's own words for a failure, without its banner and blank lines. */
export function dumpcapError(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^Capturing on /.test(l) && !/^File: /.test(l));
  return lines.join(' ') || 'dumpcap ended without saying why';
}

/**
 * Starts dumpcap on `iface`; resolves once it is capturing (its interface block arrived), or
 * rejects with dumpcap's own error (permission, bad filter, no such interface).
 */
export function startDumpcap(options: DumpcapOptions): Promise<DumpcapCapture> {
  const args = ['-i', options.iface, '-w', '-', '-q', '-s', String(options.snaplen ?? 262144), '-B', String(options.bufferMiB ?? 64)];
  if (options.filter.trim() !== '') args.push('-f', options.filter);
  const child: ChildProcessWithoutNullStreams = spawn(options.dumpcap, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let linkType: number | null = null;
  let started = false;
  let exited = false;
  const exitWaiters: (() => void)[] = [];

  return new Promise<DumpcapCapture>((resolve, reject) => {
    const capture: DumpcapCapture = {
      get linkType() {
        return linkType ?? 0;
      },
      pid: child.pid ?? -1,
      stop() {
        if (exited) return Promise.resolve();
        return new Promise<void>((done) => {
          exitWaiters.push(done);
          child.kill('SIGTERM');
          // A dumpcap that ignores SIGTERM is not left behind.
          setTimeout(() => (exited ? undefined : child.kill('SIGKILL')), 3000).unref();
        });
      },
    };
    const timer = setTimeout(() => {
      if (started) return;
      child.kill('SIGKILL');
      reject(new Error(`dumpcap did not start capturing on "${options.iface}" within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);

    const reader = new PcapngStreamReader({
      packet(p) {
        if (linkType === null) linkType = p.linkType;
        options.onPacket(p);
      },
      stats: (s) => options.onStats?.(s),
    });
    child.stdout.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      if (!started && chunk.length > 0) {
        // The section and interface blocks come first, once the interface is open.
        started = true;
        clearTimeout(timer);
        linkType ??= firstLinkType(chunk);
        resolve(capture);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (stderr.length < STDERR_LIMIT) stderr += text.slice(0, STDERR_LIMIT - stderr.length);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      exited = true;
      if (!started) reject(error);
      else options.onEnd?.(error.message);
    });
    child.on('close', (code, signal) => {
      exited = true;
      reader.end();
      clearTimeout(timer);
      const stoppedByUs = exitWaiters.length > 0;
      if (!started) reject(new Error(dumpcapError(stderr)));
      else if (!stoppedByUs) options.onEnd?.(code === 0 ? null : `dumpcap stopped (${signal ?? `exit ${code}`}): ${dumpcapError(stderr)}`);
      for (const done of exitWaiters.splice(0)) done();
    });
  });
}

/** The link type in the first interface block of a pcapng stream's first chunk, else 0. */
function firstLinkType(chunk: Uint8Array): number {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk.length < 12) return 0;
  const le = view.getUint32(8, true) === 0x1a2b3c4d;
  const shbLen = view.getUint32(4, le);
  if (shbLen + 12 > chunk.length || view.getUint32(shbLen, le) !== 1) return 0;
  return view.getUint16(shbLen + 8, le);
}
