/**
 * Whether this process may capture and open raw sockets, and if not, what to run.
 * Linux grants both with root or CAP_NET_RAW (+ CAP_NET_ADMIN for some capture settings).
 */
import { readFileSync } from 'node:fs';

const CAP_NET_RAW = 13;

/** Whether the effective capability set of this process holds CAP_NET_RAW. */
export function hasNetRaw(): boolean {
  if (process.platform !== 'linux') return process.getuid?.() === 0;
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const line = status.split('\n').find((l) => l.startsWith('CapEff:'));
    if (!line) return false;
    const mask = BigInt(`0x${line.slice('CapEff:'.length).trim()}`);
    return (mask & (1n << BigInt(CAP_NET_RAW))) !== 0n;
  } catch {
    return process.getuid?.() === 0;
  }
}

/** The exact command that grants capture and raw-socket rights, or null when already held. */
export function privilegeHint(executable = process.execPath): string | null {
  if (hasNetRaw()) return null;
  switch (process.platform) {
    case 'linux':
      return `sudo setcap cap_net_raw,cap_net_admin=eip ${executable}   (or run SockLab with sudo)`;
    case 'darwin':
      return 'Give your user read access to /dev/bpf* (install Wireshark\'s ChmodBPF, or: sudo chmod o+r /dev/bpf*)';
    case 'win32':
      return 'Install Npcap (https://npcap.com) and run SockLab as Administrator for raw sockets';
    default:
      return 'Run SockLab as root to capture packets and open raw sockets';
  }
}
