/** ping over real raw sockets on loopback: replies, summaries, identifiers kept apart. */
import { describe, expect, it } from 'vitest';
import { ping, type PingReply } from '../../src/main/lab/raw';
import { readinessPoller } from '../../src/main/lab/libc/poller';

const quick = { count: 3, intervalMs: 20, timeoutMs: 2000, payloadSize: 56 } as const;

function expectStats(stats: { minUs: number; avgUs: number; maxUs: number; mdevUs: number } | null) {
  expect(stats).not.toBeNull();
  if (!stats) return;
  expect(stats.minUs).toBeGreaterThanOrEqual(0);
  expect(stats.minUs).toBeLessThanOrEqual(stats.avgUs);
  expect(stats.avgUs).toBeLessThanOrEqual(stats.maxUs);
  expect(stats.mdevUs).toBeGreaterThanOrEqual(0);
}

describe('ping', () => {
  it('pings 127.0.0.1 over SOCK_RAW IPPROTO_ICMP: one reply per request, with RTT and TTL', async () => {
    const seen: PingReply[] = [];
    const result = await ping({ family: 'AF_INET', target: '127.0.0.1', ...quick, onReply: (r) => seen.push(r) });
    if (!result.ok) throw new Error(result.message);
    const summary = result.value;
    expect(summary).toMatchObject({ transmitted: 3, received: 3, duplicates: 0, lossPercent: 0, errors: [] });
    expect(summary.replies.map((r) => r.sequence).sort()).toEqual([1, 2, 3]);
    expect(seen).toEqual(summary.replies);
    for (const reply of summary.replies) {
      expect(reply).toMatchObject({ from: '127.0.0.1', bytes: 64, duplicate: false, checksumValid: true });
      expect(reply.ttl).toBeGreaterThan(0);
      expect(reply.rttUs).toBeGreaterThanOrEqual(0);
    }
    expectStats(summary.rtt);
    expect(summary.kernelRtt === null || summary.kernelRtt.minUs >= 0).toBe(true);
    expect(readinessPoller.watchedCount()).toBe(0);
  });

  it('pings ::1 over SOCK_RAW IPPROTO_ICMPV6 (no TTL without ancillary data)', async () => {
    const result = await ping({ family: 'AF_INET6', target: '::1', ...quick, payloadSize: 8 });
    if (!result.ok) throw new Error(result.message);
    expect(result.value).toMatchObject({ transmitted: 3, received: 3, lossPercent: 0 });
    for (const reply of result.value.replies) expect(reply).toMatchObject({ from: '::1', bytes: 16, ttl: null });
    expectStats(result.value.rtt);
  });

  it('accepts a non-canonical IPv6 target and matches the kernel-reported sender', async () => {
    const result = await ping({ family: 'AF_INET6', target: '0:0:0:0:0:0:0:1', ...quick, count: 1 });
    expect(result.ok && result.value.received).toBe(1);
  });

  it('keeps two pings with different identifiers apart', async () => {
    const [a, b] = await Promise.all([
      ping({ family: 'AF_INET', target: '127.0.0.1', ...quick, count: 4, identifier: 0x6001 }),
      ping({ family: 'AF_INET', target: '127.0.0.1', ...quick, count: 2, identifier: 0x6002 }),
    ]);
    expect(a.ok && [a.value.identifier, a.value.received, a.value.duplicates]).toEqual([0x6001, 4, 0]);
    expect(b.ok && [b.value.identifier, b.value.received, b.value.duplicates]).toEqual([0x6002, 2, 0]);
  });

  it('counts requests without a reply as lost, and reports each timeout', async () => {
    // ICMPv6 to an IPv4-mapped address: sendto() succeeds but Linux drops the packet before any
    // interface (checked with tcpdump -i any), so no reply can come, and nothing leaves the host.
    const timedOut: number[] = [];
    const result = await ping({
      family: 'AF_INET6',
      target: '::ffff:127.0.0.1',
      count: 2,
      intervalMs: 10,
      timeoutMs: 200,
      payloadSize: 8,
      onTimeout: (s) => timedOut.push(s),
    });
    if (!result.ok) throw new Error(result.message);
    expect(timedOut).toEqual([1, 2]);
    expect(result.value.transmitted).toBe(2);
    expect(result.value.received).toBe(0);
    expect(result.value.lossPercent).toBe(100);
    expect(result.value.rtt).toBeNull();
  });

  it('stops early when aborted', async () => {
    const stop = new AbortController();
    const running = ping({
      family: 'AF_INET',
      target: '127.0.0.1',
      count: 1000,
      intervalMs: 50,
      timeoutMs: 1000,
      payloadSize: 8,
      signal: stop.signal,
      onReply: () => stop.abort(),
    });
    const result = await running;
    expect(result.ok && result.value.transmitted).toBeLessThan(1000);
    expect(result.ok && result.value.received).toBeGreaterThanOrEqual(1);
  });

  it('refuses out-of-range options with EINVAL before opening a socket', async () => {
    expect(await ping({ family: 'AF_INET', target: '127.0.0.1', ...quick, count: 0 })).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(await ping({ family: 'AF_INET', target: '::1', ...quick })).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(await ping({ family: 'AF_INET', target: '127.0.0.1', ...quick, payloadSize: 65500 })).toMatchObject({
      ok: false,
      errno: 'EINVAL',
    });
  });
});
