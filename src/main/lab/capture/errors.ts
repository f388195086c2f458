/**
 * cap's errors are plain Errors with libpcap's text and no code. This maps them onto errno
 * values with a sentence a student can act on, keeping libpcap's own words where they help
 * (a capture filter's syntax error is shown as libpcap wrote it).
 */
import { ERRNO, type ErrnoName } from '@shared/errno';
import { captureHint } from '../privilege';

export interface CaptureFailure {
  ok: false;
  errno: ErrnoName;
  code: number;
  message: string;
}

/** A failed capture route: errno, its number, and the sentence. */
export function captureFailure(errno: ErrnoName, message: string): CaptureFailure {
  return { ok: false, errno, code: ERRNO[errno].code, message };
}

/**
 * The least-privilege command that lets SockLab capture here; when this process is refused
 * although the plan says capture is ready (e.g. dumpcap is set up but this backend is libpcap),
 * running as root is what is left.
 */
export function capturePermissionHint(): string {
  return captureHint() ?? 'run SockLab as root (sudo npm run serve)';
}

/** A mapped start failure, plus the permission hint when permission is what is missing. */
export interface StartFailure extends CaptureFailure {
  permissionHint: string | null;
}

/** Maps cap's message for a failed open() on `iface` with capture filter `filter`. */
export function mapStartError(raw: string, iface: string, filter: string): StartFailure {
  const text = raw.trim();
  const failure = (errno: ErrnoName, message: string, permissionHint: string | null = null): StartFailure => ({
    ...captureFailure(errno, message),
    permissionHint,
  });
  if (/operation not permitted|permission denied|you don't have permission/i.test(text)) {
    const hint = capturePermissionHint();
    return failure(
      'EPERM',
      `Capturing on the host's interfaces needs permission to read raw packets, which SockLab does not have (libpcap: "${text}"). Run: ${hint}. A lab network captures without any privilege, and the rest of the lab keeps working.`,
      hint,
    );
  }
  if (/can't parse filter expression|syntax error|illegal|unknown host|invalid|not supported on/i.test(text) && filter.trim() !== '') {
    return failure('EINVAL', `The capture filter "${filter}" is not valid BPF: ${text}`);
  }
  if (/no such device|doesn't exist|not found/i.test(text)) {
    return failure('EINVAL', `There is no capture interface named "${iface}" (libpcap: "${text}"). Pick one from the interface list.`);
  }
  if (/not up|network is down/i.test(text)) {
    return failure('ENETDOWN', `The interface "${iface}" is down (libpcap: "${text}"). Bring it up, or capture on another.`);
  }
  return failure('EINVAL', `Capture could not start on "${iface}": ${text}`);
}

/** Maps a failure to load cap itself (missing, or built for another Node/Electron ABI). */
export function mapLoadError(raw: string): CaptureFailure | null {
  if (/Cannot find module 'cap'|cap\.node/i.test(raw)) {
    return captureFailure(
      'ENOSYS',
      `The packet capture library (cap) is not installed or not built: ${raw.trim()}. Run "npm run setup": it installs cap and, where Electron is installed, builds it for Electron too.`,
    );
  }
  if (/cap is not patched/i.test(raw)) {
    return captureFailure(
      'ENOSYS',
      `The packet capture library (cap) is built without SockLab's patch (batched capture, kernel timestamps, drop counters). Run "node scripts/setup.mjs": it applies patches/cap+0.2.1.patch and rebuilds cap.`,
    );
  }
  if (/NODE_MODULE_VERSION|was compiled against a different/i.test(raw)) {
    return captureFailure(
      'ENOSYS',
      `The packet capture library (cap) was built for another Node or Electron version. Rebuild it with "npm run setup" (Node and Electron builds are kept apart: node_modules/cap for Node, .electron-native/ for Electron).`,
    );
  }
  return null;
}
