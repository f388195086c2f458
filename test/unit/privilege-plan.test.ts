/**
 * The privilege decision for each platform and setting: what is ready, through what, and the
 * exact least-privilege command otherwise — never capabilities on Electron.
 */
import { describe, expect, it } from 'vitest';
import { fileCapsGrantNetRaw } from '../../src/main/lab/privilege/facts';
import { planItem, planPrivileges, type PrivilegeFacts } from '../../src/main/lab/privilege/plan';

const linuxUser: PrivilegeFacts = {
  platform: 'linux',
  isRoot: false,
  hasNetRaw: false,
  user: 'ada',
  dumpcap: { path: '/usr/bin/dumpcap', executable: true, capable: true, group: 'wireshark' },
  userns: { allowed: true, block: null },
  packageManager: 'apt',
  bpfReadable: false,
  npcap: false,
  relaunchAsRoot: 'sudo npm run serve',
  apparmorProfileSource: null,
};

const plan = (over: Partial<PrivilegeFacts>) => planPrivileges({ ...linuxUser, ...over });

describe('Linux', () => {
  it('a user in the wireshark group: lab network by namespace, capture by dumpcap, raw sockets on a lab host', () => {
    const p = plan({});
    expect(p.items.map((i) => [i.ability, i.ready, i.via, i.reason])).toEqual([
      ['labNetwork', true, 'userNamespace', 'usernsReady'],
      ['hostCapture', true, 'dumpcap', 'captureDumpcap'],
      ['hostRawSockets', false, 'labNetwork', 'rawUseLabNetwork'],
    ]);
    expect(planItem(p, 'hostRawSockets').command).toBe('sudo npm run serve');
  });

  it('root has everything', () => {
    const p = plan({ isRoot: true, hasNetRaw: true, dumpcap: null });
    expect(p.items.every((i) => i.ready && i.via === 'root')).toBe(true);
  });

  it('CAP_NET_RAW on the process (web mode under a granted node) captures directly', () => {
    const p = plan({ hasNetRaw: true, dumpcap: null });
    expect(planItem(p, 'hostCapture')).toMatchObject({ ready: true, via: 'capNetRaw' });
    expect(planItem(p, 'hostRawSockets')).toMatchObject({ ready: true, via: 'capNetRaw' });
  });

  it('dumpcap not in the group: the usermod line for this user and that group', () => {
    const p = plan({ dumpcap: { path: '/usr/bin/dumpcap', executable: false, capable: true, group: 'wireshark' } });
    expect(planItem(p, 'hostCapture')).toMatchObject({
      ready: false,
      reason: 'dumpcapNotInGroup',
      command: 'sudo usermod -aG wireshark ada',
      params: { group: 'wireshark', user: 'ada' },
    });
  });

  it('dumpcap without its capability: Debian reconfigures wireshark-common; elsewhere group + setcap on dumpcap', () => {
    const bare = { path: '/usr/bin/dumpcap', executable: true, capable: false, group: 'root' };
    expect(planItem(plan({ dumpcap: bare }), 'hostCapture').command).toBe(
      'sudo dpkg-reconfigure wireshark-common && sudo usermod -aG wireshark ada',
    );
    const other = planItem(plan({ dumpcap: bare, packageManager: 'dnf' }), 'hostCapture').command;
    expect(other).toContain('sudo setcap cap_net_raw,cap_net_admin=eip /usr/bin/dumpcap');
  });

  it('no dumpcap: installs it with this system package manager', () => {
    expect(planItem(plan({ dumpcap: null }), 'hostCapture').command).toMatch(/^sudo apt-get install -y wireshark-common/);
    expect(planItem(plan({ dumpcap: null, packageManager: 'dnf' }), 'hostCapture').command).toMatch(/^sudo dnf install -y wireshark-cli/);
    expect(planItem(plan({ dumpcap: null, packageManager: 'pacman' }), 'hostCapture').command).toMatch(/^sudo pacman -S wireshark-cli/);
  });

  it('never advises capabilities on Electron or node', () => {
    for (const over of [{}, { dumpcap: null }, { userns: { allowed: false, block: 'apparmor' as const } }, { packageManager: null }]) {
      for (const item of plan(over).items) {
        expect(item.command ?? '').not.toMatch(/setcap[^&]*(electron|node)/);
      }
    }
  });

  it('refused namespaces name the setting and the fix', () => {
    const apparmor = { userns: { allowed: false, block: 'apparmor' as const } };
    expect(planItem(plan({ ...apparmor, apparmorProfileSource: '/opt/SockLab/resources/apparmor-profile' }), 'labNetwork')).toMatchObject({
      ready: false,
      reason: 'usernsApparmor',
      command: 'sudo cp /opt/SockLab/resources/apparmor-profile /etc/apparmor.d/socklab && sudo apparmor_parser -r /etc/apparmor.d/socklab',
    });
    // From a checkout there is no installed executable to confine: the system-wide switch.
    expect(planItem(plan(apparmor), 'labNetwork').command).toBe('sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0');
    expect(planItem(plan({ userns: { allowed: false, block: 'cloneOff' } }), 'labNetwork').command).toBe(
      'sudo sysctl -w kernel.unprivileged_userns_clone=1',
    );
    expect(planItem(plan({ userns: { allowed: false, block: 'maxZero' } }), 'labNetwork').command).toBe(
      'sudo sysctl -w user.max_user_namespaces=15000',
    );
    // Without a lab network, raw sockets fall back to root.
    expect(planItem(plan({ userns: { allowed: false, block: 'maxZero' } }), 'hostRawSockets')).toMatchObject({
      via: 'root',
      reason: 'rawRoot',
    });
  });
});

describe('macOS and Windows', () => {
  it('macOS: BPF access through ChmodBPF; no lab network', () => {
    const mac = { platform: 'darwin' as const, dumpcap: null, userns: { allowed: false, block: null }, packageManager: null };
    expect(planItem(plan(mac), 'labNetwork')).toMatchObject({ ready: false, reason: 'linuxOnly' });
    expect(planItem(plan(mac), 'hostCapture')).toMatchObject({
      ready: false,
      via: 'bpf',
      command: 'brew install --cask wireshark-chmodbpf',
    });
    expect(planItem(plan({ ...mac, bpfReadable: true }), 'hostCapture')).toMatchObject({ ready: true, reason: 'captureBpf' });
  });

  it('Windows: Npcap detected or pointed to; raw sockets need Administrator', () => {
    const win = { platform: 'win32' as const, dumpcap: null, userns: { allowed: false, block: null }, packageManager: null };
    expect(planItem(plan(win), 'hostCapture')).toMatchObject({
      ready: false,
      reason: 'npcapMissing',
      command: 'https://npcap.com/#download',
    });
    expect(planItem(plan({ ...win, npcap: true }), 'hostCapture')).toMatchObject({ ready: true, via: 'npcap' });
    expect(planItem(plan(win), 'hostRawSockets')).toMatchObject({ ready: false, via: 'administrator' });
    expect(planItem(plan({ ...win, isRoot: true }), 'hostRawSockets')).toMatchObject({ ready: true });
  });
});

describe('file capabilities', () => {
  /** struct vfs_cap_data (revision 2): magic, then permitted/inheritable for caps 0–31 and 32–63. */
  function xattr(permittedLow: number): Uint8Array {
    const b = Buffer.alloc(20);
    b.writeUInt32LE(0x02000001, 0);
    b.writeUInt32LE(permittedLow, 4);
    return b;
  }
  it('reads CAP_NET_RAW (bit 13) from the permitted set', () => {
    expect(fileCapsGrantNetRaw(xattr((1 << 13) | (1 << 12)))).toBe(true);
    expect(fileCapsGrantNetRaw(xattr(1 << 12))).toBe(false);
    expect(fileCapsGrantNetRaw(new Uint8Array(4))).toBe(false);
  });
});
