/**
 * Exercise text for the panel: the student's language picked from a BiText, `${role.field}`
 * filled in from the sockets the roles are bound to, and `code` spans split out for display.
 */
import type { BiText, RoleBinding } from '@shared/exercise';
import type { SockAddr, SocketInfo } from '@shared/socket';

/** The text in the UI language (zh for any Chinese locale, else en). */
export function pickText(text: BiText, locale: string): string {
  return locale.toLowerCase().startsWith('zh') ? text.zh : text.en;
}

function addrPart(addr: SockAddr | null, part: 'address' | 'port'): string | null {
  if (!addr) return null;
  if (addr.family === 'AF_UNIX') return part === 'address' ? addr.path : null;
  return part === 'address' ? addr.address : String(addr.port);
}

/** The value of `${role.field}` as the exercise files use it, or null while the role has no socket. */
function roleField(info: SocketInfo, field: string): string | null {
  switch (field) {
    case 'fd':
      return String(info.fd);
    case 'port':
      return addrPart(info.local, 'port');
    case 'address':
      return addrPart(info.local, 'address');
    case 'peerPort':
      return addrPart(info.peer, 'port');
    case 'peerAddress':
      return addrPart(info.peer, 'address');
    default:
      return null;
  }
}

/**
 * Replaces `${role.field}` with what the bound socket shows now (e.g. the server's port), so a
 * hint says "127.0.0.1:41523"; placeholders whose socket is unknown (or closed) stay as written.
 * `sockets` are the open ones by identity.
 */
export function fillRoles(
  text: string,
  roles: Readonly<Record<string, RoleBinding | null>>,
  sockets: ReadonlyMap<number, SocketInfo>,
): string {
  return text.replace(/\$\{([A-Za-z_][\w-]*)\.(\w+)\}/g, (whole, role: string, field: string) => {
    const bound = roles[role];
    const info = bound ? sockets.get(bound.socketId) : undefined;
    return (info && roleField(info, field)) ?? whole;
  });
}

export interface TextSegment {
  text: string;
  code: boolean;
}

/** Splits `a \`b\` c` into plain and code segments (exercise files mark names and YAML with backticks). */
export function codeSegments(text: string): TextSegment[] {
  return text
    .split('`')
    .map((part, index) => ({ text: part, code: index % 2 === 1 }))
    .filter((segment) => segment.text !== '');
}
