/**
 * The raw routes beyond the BSD calls: `raw.ping` (the ping view: N echo requests over a real
 * raw socket, each reply pushed live as a 'ping.reply' event, then the summary) and
 * `raw.buildIcmp` (the ICMP builder: the UI shows the checksum the lab computed, so the
 * renderer never duplicates the checksum code). Plain Node; never imports electron.
 */
import { ERRNO, type ErrnoName } from '@shared/errno';
import type { PingReply as PingReplyEvent } from '@shared/socket';
import type { Handlers, LabContext } from '../context';
import { asBuffer } from '../wire-bytes';
import { ICMP_ECHO_HEADER_BYTES, buildIcmpEcho, buildIcmpv6Echo } from './icmp';
import { nextPingIdentifier, ping, type PingReply } from './ping';

export type RawRouteName = Extract<keyof typeof import('@shared/routes').rawRoutes, string>;

export interface RawArea {
  handlers: Handlers<RawRouteName>;
  /** Stops running pings and waits until their sockets are closed. */
  close(): Promise<void>;
}

/** Largest ICMP payload over IPv4: 65535 - 20 (IPv4 header) - 8 (echo header). */
const MAX_ICMP_PAYLOAD = 65_535 - 20 - ICMP_ECHO_HEADER_BYTES;

function failure(errno: ErrnoName, message: string) {
  return { ok: false as const, errno, code: ERRNO[errno].code, message };
}

function replyOut(identifier: number, reply: PingReply): PingReplyEvent {
  const { sequence, rttUs, ttl, bytes, from, duplicate } = reply;
  return { identifier, sequence, rttUs, ttl, bytes, from, duplicate };
}

/** Creates the raw area of a lab: its route handlers and the pings it runs. */
export function createRawArea(ctx: LabContext): RawArea {
  const running = new Map<AbortController, Promise<unknown>>();

  const handlers: Handlers<RawRouteName> = {
    'raw.ping': async ({ family, target, count, intervalMs, timeoutMs, payloadSize }) => {
      const stop = new AbortController();
      const identifier = nextPingIdentifier();
      const run = ping({
        family,
        target,
        count,
        intervalMs,
        timeoutMs,
        payloadSize,
        identifier,
        signal: stop.signal,
        onReply: (reply) => ctx.emit('ping.reply', replyOut(identifier, reply)),
      });
      running.set(stop, run);
      try {
        const done = await run;
        if (!done.ok) return failure(done.errno, done.message);
        const summary = done.value;
        return {
          ok: true as const,
          value: {
            target: summary.target,
            identifier: summary.identifier,
            transmitted: summary.transmitted,
            received: summary.received,
            lossPercent: summary.lossPercent,
            rtt: summary.rtt && { min: summary.rtt.minUs, avg: summary.rtt.avgUs, max: summary.rtt.maxUs, mdev: summary.rtt.mdevUs },
            replies: summary.replies.map((reply) => replyOut(summary.identifier, reply)),
            errors: summary.errors,
          },
        };
      } finally {
        running.delete(stop);
      }
    },
    'raw.buildIcmp': ({ family, type, code, identifier, sequence, payload }) => {
      const bytes = asBuffer(payload);
      if (bytes.length > MAX_ICMP_PAYLOAD) {
        return failure(
          'EMSGSIZE',
          `raw.buildIcmp: a ${bytes.length}-byte payload does not fit one ICMP message (at most ${MAX_ICMP_PAYLOAD} bytes).`,
        );
      }
      const fields = { type, code, identifier, sequence, payload: bytes };
      const built = family === 'AF_INET6' ? buildIcmpv6Echo(fields) : buildIcmpEcho(fields);
      return { ok: true as const, value: { data: built.bytes, checksum: built.checksum } };
    },
  };

  return {
    handlers,
    async close() {
      for (const stop of running.keys()) stop.abort();
      await Promise.all(running.values());
    },
  };
}
