/**
 * Why a lab network cannot start on this machine, and the command that allows it. Lab networks
 * need an unprivileged user namespace (util-linux `unshare -Urn`); distributions can refuse
 * them with a sysctl or, on Ubuntu 23.10 and later, AppArmor. As root none of these apply
 * except max_user_namespaces. The same checks explain a refusal after the fact.
 */
import { readFileSync } from 'node:fs';

export interface Refusal {
  /** What refuses, in a sentence. */
  error: string;
  /** The command that fixes it. */
  fix: string;
}

/** Reads a /proc/sys value; null where the knob does not exist on this kernel. */
export type SysctlReader = (path: string) => string | null;

export const readSysctl: SysctlReader = (path) => {
  try {
    return readFileSync(`/proc/sys/${path}`, 'utf8').trim();
  } catch {
    return null;
  }
};

/**
 * The first setting that refuses user namespaces to this process, or null when none does.
 * `root`: whether the process is root (root passes the unprivileged restrictions).
 */
export function userNamespaceRefusal(read: SysctlReader = readSysctl, root = process.getuid?.() === 0): Refusal | null {
  if (process.platform !== 'linux') {
    return {
      error: 'Lab networks use Linux network namespaces; this system is not Linux.',
      fix: 'Run SockLab on Linux for lab networks (the "this machine" lab works here).',
    };
  }
  if (read('user/max_user_namespaces') === '0') {
    return {
      error:
        'User namespaces are switched off on this machine (sysctl user.max_user_namespaces = 0), so SockLab cannot create a lab network.',
      fix: 'sudo sysctl -w user.max_user_namespaces=15000',
    };
  }
  if (!root && read('kernel/unprivileged_userns_clone') === '0') {
    return {
      error:
        'Unprivileged user namespaces are switched off on this machine (sysctl kernel.unprivileged_userns_clone = 0), so SockLab cannot create a lab network without root.',
      fix: 'sudo sysctl -w kernel.unprivileged_userns_clone=1',
    };
  }
  if (!root && read('kernel/apparmor_restrict_unprivileged_userns') === '1') {
    return {
      error:
        'AppArmor restricts unprivileged user namespaces on this machine (kernel.apparmor_restrict_unprivileged_userns = 1, the default since Ubuntu 23.10), so SockLab cannot create a lab network without a profile that allows them.',
      fix: 'Install SockLab\'s .deb (its AppArmor profile grants "userns"), or: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0',
    };
  }
  return null;
}

/** Explains an engine that did not start, from what `unshare` said on stderr. */
export function explainStartFailure(stderr: string, read: SysctlReader = readSysctl): Refusal {
  const known = userNamespaceRefusal(read);
  if (known) return known;
  if (/unshare: (failed to execute|No such file)|spawn unshare ENOENT/i.test(stderr)) {
    return {
      error: 'The `unshare` command (util-linux) is missing, so SockLab cannot create a lab network.',
      fix: "sudo apt install util-linux   (or your distribution's util-linux package)",
    };
  }
  if (/unshare failed|Operation not permitted|write failed \/proc\/self\/uid_map|No space left on device/i.test(stderr)) {
    return {
      error: `This machine refused SockLab a user namespace (${stderr.trim().split('\n').pop()}). A security module or container runtime may forbid them.`,
      fix: 'Allow unprivileged user namespaces (for example in Docker: --security-opt seccomp=unconfined), or run SockLab as root.',
    };
  }
  return {
    error: `The lab-network engine did not start: ${stderr.trim() || 'no message'}`,
    fix: 'Check that node_modules is installed (npm install) and try again.',
  };
}
