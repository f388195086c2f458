/**
 * Lab-network hosts, inside the engine process: each host is a network namespace of its own
 * with its loopback up and one interface, eth0, carrying its addresses: one end of a veth pair
 * whose other end ("vA") the engine reads and writes with a packet socket. (A TAP device would do
 * the same, but /dev/net/tun is often root-only; veth needs nothing beyond the user namespace.)
 * The engine holds the namespace and socket descriptors; when the engine process ends, the
 * kernel removes the namespaces and with them the veth pairs.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { HostInfo, HostSpec } from '@shared/net';
import {
  closeFd,
  inNetns,
  sysAddIpv6,
  sysCreateNetns,
  sysIfIndex,
  sysLinkUp,
  sysPacketSocket,
  sysTxOffloadOff,
  sysSetIpv4,
  sysSetMac,
  sysSetMtu,
  type LibcResult,
} from '../libc';

/** The interface every host has on the link. */
export const HOST_IFNAME = 'eth0';

export interface Host {
  readonly info: HostInfo;
  /** The host's network namespace (setns target for its sockets). */
  readonly nsFd: number;
  /** The packet socket on its link end: frames the host sends are read here, frames for it written here. */
  readonly frameFd: number;
  /** The MAC as 6 bytes, to switch frames by destination. */
  readonly macBytes: Buffer;
}

/** A readable, locally administered MAC: 02:00:00:00:00:0N for the Nth host. */
function macFor(index: number): string {
  return `02:00:00:00:00:${(index + 1).toString(16).padStart(2, '0')}`;
}

/**
 * Writes a sysctl of the current namespace. IPv6 duplicate address detection is switched off
 * so addresses work at once (a lab link has no duplicates), and router solicitations too (no
 * router will answer, they would only clutter the capture).
 */
function sysctl(path: string, value: string): void {
  try {
    writeFileSync(`/proc/sys/net/${path}`, value);
  } catch {
    // A kernel without this knob still works, only noisier or slower to get IPv6 ready.
  }
}

function step<T>(result: LibcResult<T>, what: string): T {
  if (!result.ok) throw new Error(`${what}: ${result.message}`);
  return result.value;
}

/** The outer end's MTU: as large as any link MTU, so only the link decides what is too big. */
const OUTER_MTU = 9000;

/** Runs iproute2's `ip` (on this thread's namespace, which a spawned child inherits). */
function ip(args: string[]): void {
  const run = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (run.error) throw new Error(`ip ${args.join(' ')}: ${run.error.message} (is iproute2 installed?)`);
  if (run.status !== 0) throw new Error(`ip ${args.join(' ')}: ${run.stderr.trim()}`);
}

/**
 * Creates host `spec` (the index-th) with link MTU `mtu`; throws with the step that failed.
 * The host's eth0 is one end of a veth pair; the other end stays in the engine's namespace,
 * where an AF_PACKET socket reads what the host sends and writes what it receives.
 */
export function createHost(spec: HostSpec, index: number, mtu: number): Host {
  const nsFd = step(sysCreateNetns(), `host ${spec.name}: a network namespace`);
  const outer = `v${spec.name}`;
  let packetFd = -1;
  try {
    const mac = macFor(index);
    // The outer end carries no addresses: IPv6 off, or the engine's own stack would talk on the link.
    sysctl('ipv6/conf/default/disable_ipv6', '1');
    ip(['link', 'add', outer, 'type', 'veth', 'peer', 'name', HOST_IFNAME, 'netns', `/proc/${process.pid}/fd/${nsFd}`]);
    step(sysSetMtu(outer, OUTER_MTU), `host ${spec.name}: outer MTU`);
    step(sysLinkUp(outer), `host ${spec.name}: ${outer} up`);
    const outerIndex = step(sysIfIndex(outer), `host ${spec.name}: outer interface index`);
    packetFd = step(sysPacketSocket(outer, outerIndex), `host ${spec.name}: packet socket`);
    const ifindex = inNetns(nsFd, () => {
      for (const scope of ['default', 'all']) {
        sysctl(`ipv6/conf/${scope}/accept_dad`, '0');
        sysctl(`ipv6/conf/${scope}/router_solicitations`, '0');
      }
      step(sysLinkUp('lo'), `host ${spec.name}: loopback up`);
      step(sysTxOffloadOff(HOST_IFNAME), `host ${spec.name}: checksum offload off`);
      step(sysSetMac(HOST_IFNAME, mac), `host ${spec.name}: MAC address`);
      step(sysSetMtu(HOST_IFNAME, mtu), `host ${spec.name}: MTU`);
      step(sysSetIpv4(HOST_IFNAME, spec.ipv4, spec.prefix4), `host ${spec.name}: IPv4 address`);
      step(sysLinkUp(HOST_IFNAME), `host ${spec.name}: ${HOST_IFNAME} up`);
      const index = step(sysIfIndex(HOST_IFNAME), `host ${spec.name}: interface index`);
      step(sysAddIpv6(index, spec.ipv6, spec.prefix6), `host ${spec.name}: IPv6 address`);
      return index;
    });
    const macBytes = Buffer.from(mac.split(':').map((part) => Number.parseInt(part, 16)));
    return { info: { ...spec, ifname: HOST_IFNAME, mac, ifindex }, nsFd, frameFd: packetFd, macBytes };
  } catch (error) {
    if (packetFd >= 0) closeFd(packetFd);
    closeFd(nsFd); // the veth pair goes with the namespace holding one end
    throw error;
  }
}

/** Changes the MTU of a host's interface (the link's MTU changed). */
export function setHostMtu(host: Host, mtu: number): LibcResult<0> {
  return inNetns(host.nsFd, () => sysSetMtu(HOST_IFNAME, mtu));
}

/** Releases a host: its namespace, and with it the veth pair, goes when its last descriptor closes. */
export function destroyHost(host: Host): void {
  closeFd(host.frameFd);
  closeFd(host.nsFd);
}
