/**
 * The capture filter that keeps a capture to the lab's own traffic: the ports of the lab's
 * sockets on this machine (each side of a connection: its local and its peer port), and ICMP
 * when a raw socket exists. Sockets on lab-network hosts are left out: their packets travel on
 * the link, which takes no capture filter.
 */
import type { SocketInfo } from '@shared/socket';

/** The lab's ports, ascending, and whether a raw socket asks for ICMP too. */
export interface LabTraffic {
  ports: number[];
  icmp: boolean;
}

/** What the lab's sockets on this machine use: their ports, and ICMP for raw sockets. */
export function labTraffic(sockets: readonly SocketInfo[]): LabTraffic {
  const ports = new Set<number>();
  let icmp = false;
  for (const info of sockets) {
    if (info.host || info.state === 'closed') continue;
    if (info.type === 'SOCK_RAW') {
      icmp = true;
      continue;
    }
    for (const addr of [info.local, info.peer]) {
      if (addr && addr.family !== 'AF_UNIX' && addr.port > 0) ports.add(addr.port);
    }
  }
  return { ports: [...ports].sort((a, b) => a - b), icmp };
}

/**
 * A BPF expression for that traffic (`port 5000 or port 41234 or icmp or icmp6`), or '' when
 * the lab has no port and no raw socket yet.
 */
export function labCaptureFilter(traffic: LabTraffic): string {
  const terms = traffic.ports.map((port) => `port ${port}`);
  if (traffic.icmp) terms.push('icmp', 'icmp6');
  return terms.join(' or ');
}

/** Ports of `traffic` that a BPF expression does not name (a socket bound after the capture started). */
export function portsMissing(traffic: LabTraffic, filter: string): number[] {
  if (filter.trim() === '') return [];
  const named = new Set([...filter.matchAll(/\bport\s+(\d+)/g)].map((match) => Number(match[1])));
  return traffic.ports.filter((port) => !named.has(port));
}
