/**
 * Capture interfaces as the UI lists them: libpcap's devices with their addresses, whether
 * each is loopback, up and running, loopback first (the lab's own traffic runs there).
 */
import { readFileSync } from 'node:fs';
import type { CaptureInterface } from '@shared/capture';
import type { RawDevice } from './protocol';

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;

/** Reads one /sys/class/net attribute; null where there is none (pseudo-devices, other OSes). */
function sysNet(name: string, attribute: string): string | null {
  if (process.platform !== 'linux' || name.includes('/') || name.startsWith('.')) return null;
  try {
    return readFileSync(`/sys/class/net/${name}/${attribute}`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** One device with its flags: from the kernel where it says, else from what libpcap said. */
export function describeDevice(device: RawDevice): CaptureInterface {
  const flags = sysNet(device.name, 'flags');
  const bits = flags === null ? null : Number.parseInt(flags, 16);
  const loopback = device.flags?.includes('PCAP_IF_LOOPBACK') === true || (bits !== null && (bits & IFF_LOOPBACK) !== 0);
  // Pseudo-devices ("any", "nflog") have no kernel entry; "any" is always usable.
  const up = bits !== null ? (bits & IFF_UP) !== 0 : device.name === 'any';
  const running = bits !== null ? sysNet(device.name, 'carrier') === '1' : device.name === 'any';
  return {
    name: device.name,
    description: device.description ?? null,
    addresses: device.addresses.flatMap((a) => (a.addr ? [{ address: a.addr, netmask: a.netmask ?? null }] : [])),
    loopback,
    up,
    running,
  };
}

/** Loopback first, then interfaces that are up, each group in libpcap's order. */
export function listInterfaces(devices: readonly RawDevice[]): CaptureInterface[] {
  const described = devices.map(describeDevice);
  const rank = (i: CaptureInterface) => (i.loopback ? 0 : i.up ? 1 : 2);
  return described
    .map((iface, index) => ({ iface, index }))
    .sort((a, b) => rank(a.iface) - rank(b.iface) || a.index - b.index)
    .map((x) => x.iface);
}
