/**
 * The privilege decision, as a pure function of what the machine is: for each ability (lab
 * network, capture on the host's interfaces, raw sockets on the host) whether SockLab has it,
 * through what, and otherwise the least-privilege command that grants it on this system.
 *
 * Least privilege, and never on Electron: a binary with file capabilities runs in
 * secure-execution mode, where the loader ignores $ORIGIN and Electron cannot load its own
 * libraries (electron/electron#4583). So on Linux:
 * - the lab network needs no privilege at all (an unprivileged user namespace);
 * - host capture goes through Wireshark's `dumpcap`, the one small audited program that holds
 *   CAP_NET_RAW, executable by the `wireshark` group (Debian's own model);
 * - raw sockets on the host need root; a lab-network host gives them to everyone.
 */
import type { PrivilegeItem, PrivilegePlan } from '@shared/privileges';

/** Why unprivileged user namespaces are refused, when they are. */
export type UsernsBlock = 'apparmor' | 'cloneOff' | 'maxZero';

export interface DumpcapFacts {
  path: string;
  /** This user may execute it (world-executable, or owner/group match). */
  executable: boolean;
  /** It holds CAP_NET_RAW as a file capability, or is set-uid root. */
  capable: boolean;
  /** The group that owns it (the one to join when it is not world-executable). */
  group: string;
}

/** What the machine is, as far as privileges go. Gathered by `gatherFacts()`. */
export interface PrivilegeFacts {
  platform: NodeJS.Platform;
  isRoot: boolean;
  /** The effective capability set holds CAP_NET_RAW (Linux). */
  hasNetRaw: boolean;
  user: string;
  /** null: not installed (or not Linux). */
  dumpcap: DumpcapFacts | null;
  /** Unprivileged user namespaces: true allowed, false refused (with why), null unknown. */
  userns: { allowed: boolean | null; block: UsernsBlock | null };
  /** How this system installs packages, for the exact command. */
  packageManager: 'apt' | 'dnf' | 'pacman' | null;
  /** macOS: /dev/bpf0 is readable by this user. */
  bpfReadable: boolean;
  /** Windows: Npcap's wpcap.dll is installed. */
  npcap: boolean;
  /** What to run SockLab with as root, when root is the answer (web mode or the desktop app). */
  relaunchAsRoot: string;
  /** The AppArmor profile an installed SockLab carries (resources/apparmor-profile), or null. */
  apparmorProfileSource: string | null;
}

/** The AppArmor profile the .deb installs; the same file lives in resources/linux/. */
export const APPARMOR_PROFILE = '/etc/apparmor.d/socklab';

function item(
  ability: PrivilegeItem['ability'],
  ready: boolean,
  via: PrivilegeItem['via'],
  reason: PrivilegeItem['reason'],
  command: string | null = null,
  params: Record<string, string> = {},
): PrivilegeItem {
  return { ability, ready, via, reason, params, command };
}

function labNetwork(f: PrivilegeFacts): PrivilegeItem {
  if (f.platform !== 'linux') return item('labNetwork', false, 'none', 'linuxOnly');
  if (f.isRoot) return item('labNetwork', true, 'root', 'usernsRoot');
  if (f.userns.allowed === true) return item('labNetwork', true, 'userNamespace', 'usernsReady');
  switch (f.userns.block) {
    case 'apparmor':
      // An installed app carries its profile; a checkout (or web mode under node) has no fixed
      // path to confine, so only the system-wide switch is left.
      return item(
        'labNetwork',
        false,
        'userNamespace',
        'usernsApparmor',
        f.apparmorProfileSource
          ? `sudo cp ${f.apparmorProfileSource} ${APPARMOR_PROFILE} && sudo apparmor_parser -r ${APPARMOR_PROFILE}`
          : 'sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0',
        { profile: APPARMOR_PROFILE },
      );
    case 'cloneOff':
      return item('labNetwork', false, 'userNamespace', 'usernsCloneOff', 'sudo sysctl -w kernel.unprivileged_userns_clone=1', {
        sysctl: 'kernel.unprivileged_userns_clone',
      });
    case 'maxZero':
      return item('labNetwork', false, 'userNamespace', 'usernsMaxZero', 'sudo sysctl -w user.max_user_namespaces=15000', {
        sysctl: 'user.max_user_namespaces',
      });
    default:
      return item('labNetwork', f.userns.allowed !== false, 'userNamespace', 'usernsUnknown');
  }
}

/** The command that installs Wireshark's dumpcap, with its privileged group, on this system. */
function installDumpcap(f: PrivilegeFacts): string {
  const join = `sudo usermod -aG wireshark ${f.user}`;
  switch (f.packageManager) {
    case 'apt':
      // debconf asks "Should non-superusers be able to capture packets?": yes sets the group model up.
      return `sudo apt-get install -y wireshark-common && sudo dpkg-reconfigure wireshark-common && ${join}`;
    case 'dnf':
      return `sudo dnf install -y wireshark-cli && ${join}`;
    case 'pacman':
      return `sudo pacman -S wireshark-cli && ${join}`;
    default:
      return `install Wireshark's dumpcap with your package manager, then: ${join}`;
  }
}

function linuxCapture(f: PrivilegeFacts): PrivilegeItem {
  if (f.isRoot) return item('hostCapture', true, 'root', 'captureRoot');
  if (f.hasNetRaw) return item('hostCapture', true, 'capNetRaw', 'captureCapNetRaw');
  const d = f.dumpcap;
  if (!d) return item('hostCapture', false, 'dumpcap', 'dumpcapMissing', installDumpcap(f));
  const params = { path: d.path, group: d.group, user: f.user };
  if (!d.capable) {
    // Not set up yet: its group is still root, so the group to join is the one set-up creates.
    const join = `sudo usermod -aG wireshark ${f.user}`;
    const command =
      f.packageManager === 'apt'
        ? `sudo dpkg-reconfigure wireshark-common && ${join}`
        : `sudo groupadd -f wireshark && sudo chgrp wireshark ${d.path} && sudo chmod 750 ${d.path} && sudo setcap cap_net_raw,cap_net_admin=eip ${d.path} && ${join}`;
    return item('hostCapture', false, 'dumpcap', 'dumpcapNoCapability', command, { ...params, group: 'wireshark' });
  }
  if (!d.executable) {
    // Group membership takes effect at the next login (or in `newgrp wireshark`).
    return item('hostCapture', false, 'dumpcap', 'dumpcapNotInGroup', `sudo usermod -aG ${d.group} ${f.user}`, params);
  }
  return item('hostCapture', true, 'dumpcap', 'captureDumpcap', null, params);
}

function hostCapture(f: PrivilegeFacts): PrivilegeItem {
  switch (f.platform) {
    case 'linux':
      return linuxCapture(f);
    case 'darwin':
      if (f.isRoot) return item('hostCapture', true, 'root', 'captureRoot');
      return f.bpfReadable
        ? item('hostCapture', true, 'bpf', 'captureBpf')
        : item('hostCapture', false, 'bpf', 'bpfNoAccess', 'brew install --cask wireshark-chmodbpf');
    case 'win32':
      return f.npcap
        ? item('hostCapture', true, 'npcap', 'captureNpcap')
        : item('hostCapture', false, 'npcap', 'npcapMissing', 'https://npcap.com/#download');
    default:
      return f.isRoot
        ? item('hostCapture', true, 'root', 'captureRoot')
        : item('hostCapture', false, 'root', 'captureRoot', f.relaunchAsRoot);
  }
}

function hostRawSockets(f: PrivilegeFacts): PrivilegeItem {
  if (f.platform === 'win32') {
    return f.isRoot
      ? item('hostRawSockets', true, 'administrator', 'rawAdministrator')
      : item('hostRawSockets', false, 'administrator', 'rawAdministrator', 'Run SockLab as Administrator');
  }
  if (f.isRoot) return item('hostRawSockets', true, 'root', 'rawRoot');
  if (f.platform === 'linux' && f.hasNetRaw) return item('hostRawSockets', true, 'capNetRaw', 'rawCapNetRaw');
  // The least privilege for raw sockets is none: a lab-network host has them for any user.
  const alternative = f.platform === 'linux' && labNetwork(f).ready;
  return alternative
    ? item('hostRawSockets', false, 'labNetwork', 'rawUseLabNetwork', f.relaunchAsRoot)
    : item('hostRawSockets', false, 'root', 'rawRoot', f.relaunchAsRoot);
}

/** The plan for this machine: one item per ability, in the order the first-run notice shows them. */
export function planPrivileges(facts: PrivilegeFacts): PrivilegePlan {
  return { platform: facts.platform, items: [labNetwork(facts), hostCapture(facts), hostRawSockets(facts)] };
}

/** One item of a plan. */
export function planItem(plan: PrivilegePlan, ability: PrivilegeItem['ability']): PrivilegeItem {
  const found = plan.items.find((i) => i.ability === ability);
  if (!found) throw new Error(`privilege plan has no ${ability}`);
  return found;
}
