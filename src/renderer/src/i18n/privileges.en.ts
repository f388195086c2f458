/**
 * English text of the privileges notice: what SockLab can do on this machine without any
 * privilege, what each privilege adds, and the exact command. One sentence per reason key of
 * `PrivilegeReason` (src/shared/privileges.ts); zh-CN must match the shape `PrivilegesMessages`.
 */
export const privilegesEn = {
  privilege: {
    title: 'What SockLab can do on this machine',
    intro:
      'Sockets on this machine and in a lab network need no privilege. Capturing the host’s own interfaces and raw sockets on the host need more; here is what each adds and how to get it, with the least privilege possible.',
    open: 'Privileges',
    notReady: '{count} need set-up',
    allReady: 'all ready',
    close: 'Got it',
    copy: 'Copy',
    copied: 'Copied',
    run: 'Run:',
    ready: 'Ready',
    needsSetUp: 'Needs set-up',
    ability: {
      labNetwork: 'Lab network (hosts, a lossy wire, capture on it)',
      hostCapture: 'Capture on this machine’s interfaces',
      hostRawSockets: 'Raw sockets (SOCK_RAW, ping) on this machine',
    },
    reason: {
      usernsReady: 'Works without privileges: SockLab makes its own user and network namespaces.',
      usernsRoot: 'Works (SockLab runs as root).',
      usernsApparmor:
        'AppArmor refuses unprivileged user namespaces here (Ubuntu 23.10 and later). Install SockLab’s AppArmor profile ({profile}) to allow them for SockLab alone.',
      usernsCloneOff: 'The kernel setting {sysctl} forbids unprivileged user namespaces. Allowing them enables the lab network.',
      usernsMaxZero: 'The kernel setting {sysctl} is 0, so no user namespace can be made. Raising it enables the lab network.',
      usernsUnknown: 'SockLab could not tell whether user namespaces are allowed; the lab network will say so if it cannot start.',
      linuxOnly: 'The lab network uses Linux network namespaces; it is not available on this system.',
      captureRoot: 'Works (SockLab runs as root).',
      captureCapNetRaw: 'Works: this process holds CAP_NET_RAW.',
      captureDumpcap:
        'Works through Wireshark’s dumpcap ({path}): only dumpcap holds the capture privilege, and you are in its group {group}.',
      dumpcapNotInGroup: 'Wireshark’s dumpcap is set up, but {user} is not in its group {group}. Join it, then log out and back in.',
      dumpcapNoCapability:
        'Wireshark’s dumpcap is installed but may not capture yet. Let members of {group} capture, and join the group (then log out and back in).',
      dumpcapMissing:
        'SockLab captures through Wireshark’s dumpcap, so that only that small program holds the capture privilege. Install it, allow non-root capture, and join the wireshark group (then log out and back in).',
      captureBpf: 'Works: you can read the packet filter devices (/dev/bpf*).',
      bpfNoAccess: 'Capturing needs read access to /dev/bpf*. Wireshark’s ChmodBPF package grants it to the access_bpf group.',
      captureNpcap: 'Works through Npcap.',
      npcapMissing: 'Capturing on Windows needs Npcap. Install it (tick “WinPcap API-compatible mode”).',
      rawRoot: 'Raw sockets on the host need root. SockLab never asks for capabilities on its own program.',
      rawCapNetRaw: 'Works: this process holds CAP_NET_RAW.',
      rawUseLabNetwork:
        'Raw sockets on the host need root, but a lab-network host gives them to you without any privilege: open the socket on host A or B. Or run SockLab as root.',
      rawAdministrator: 'Raw sockets on Windows need SockLab to run as Administrator.',
    },
  },
};

export type PrivilegesMessages = typeof privilegesEn;
