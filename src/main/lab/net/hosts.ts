/**
 * Lab-network hosts, inside the engine process: each host is a network namespace of its own
 * with its loopback up and one TAP device, eth0, carrying its addresses. The engine holds the
 * namespace and TAP descriptors; when the engine process ends, the kernel removes them all.
 */
import { writeFileSync } from 'node:fs';
import type { HostInfo, HostSpec } from '@shared/net';
import {
  closeFd,
  inNetns,
  sysAddIpv6,
  sysCreateNetns,
  sysIfIndex,
  sysLinkUp,
  sysOpenTap,
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
  /** Its TAP device: frames the host sends are read here, frames for it are written here. */
  readonly tapFd: number;
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

/** Creates host `spec` (the index-th) with link MTU `mtu`; throws with the step that failed. */
export function createHost(spec: HostSpec, index: number, mtu: number): Host {
  const nsFd = step(sysCreateNetns(), `host ${spec.name}: a network namespace`);
  let tapFd = -1;
  try {
    const mac = macFor(index);
    const ifindex = inNetns(nsFd, () => {
      for (const scope of ['default', 'all']) {
        sysctl(`ipv6/conf/${scope}/accept_dad`, '0');
        sysctl(`ipv6/conf/${scope}/router_solicitations`, '0');
      }
      step(sysLinkUp('lo'), `host ${spec.name}: loopback up`);
      tapFd = step(sysOpenTap(HOST_IFNAME), `host ${spec.name}: TAP device`);
      step(sysSetMac(HOST_IFNAME, mac), `host ${spec.name}: MAC address`);
      step(sysSetMtu(HOST_IFNAME, mtu), `host ${spec.name}: MTU`);
      step(sysSetIpv4(HOST_IFNAME, spec.ipv4, spec.prefix4), `host ${spec.name}: IPv4 address`);
      step(sysLinkUp(HOST_IFNAME), `host ${spec.name}: ${HOST_IFNAME} up`);
      const index = step(sysIfIndex(HOST_IFNAME), `host ${spec.name}: interface index`);
      step(sysAddIpv6(index, spec.ipv6, spec.prefix6), `host ${spec.name}: IPv6 address`);
      return index;
    });
    const macBytes = Buffer.from(mac.split(':').map((part) => Number.parseInt(part, 16)));
    return { info: { ...spec, ifname: HOST_IFNAME, mac, ifindex }, nsFd, tapFd, macBytes };
  } catch (error) {
    if (tapFd >= 0) closeFd(tapFd);
    closeFd(nsFd);
    throw error;
  }
}

/** Changes the MTU of a host's interface (the link's MTU changed). */
export function setHostMtu(host: Host, mtu: number): LibcResult<0> {
  return inNetns(host.nsFd, () => sysSetMtu(HOST_IFNAME, mtu));
}

/** Releases a host: its TAP device and namespace go when their last descriptor closes. */
export function destroyHost(host: Host): void {
  closeFd(host.tapFd);
  closeFd(host.nsFd);
}
