/**
 * Why a lab network is refused, and the fix: each distribution setting that refuses user
 * namespaces, read from a fake /proc/sys, and the explanation of a failed `unshare`.
 */
import { describe, expect, it } from 'vitest';
import { explainStartFailure, userNamespaceRefusal, type SysctlReader } from '../../src/main/lab/net/userns';

const sysctls =
  (values: Record<string, string>): SysctlReader =>
  (path) =>
    values[path] ?? null;

describe('userNamespaceRefusal', () => {
  it('finds nothing to refuse on a kernel that allows user namespaces', () => {
    expect(userNamespaceRefusal(sysctls({ 'user/max_user_namespaces': '15000' }), false)).toBeNull();
  });

  it('names user.max_user_namespaces = 0, for root too', () => {
    const refused = userNamespaceRefusal(sysctls({ 'user/max_user_namespaces': '0' }), true);
    expect(refused?.error).toContain('user.max_user_namespaces = 0');
    expect(refused?.fix).toBe('sudo sysctl -w user.max_user_namespaces=15000');
  });

  it("names Debian's kernel.unprivileged_userns_clone = 0 for users, not for root", () => {
    const read = sysctls({ 'kernel/unprivileged_userns_clone': '0' });
    expect(userNamespaceRefusal(read, false)?.fix).toBe('sudo sysctl -w kernel.unprivileged_userns_clone=1');
    expect(userNamespaceRefusal(read, true)).toBeNull();
  });

  it("names Ubuntu's AppArmor restriction and the profile that lifts it", () => {
    const refused = userNamespaceRefusal(sysctls({ 'kernel/apparmor_restrict_unprivileged_userns': '1' }), false);
    expect(refused?.error).toContain('AppArmor');
    expect(refused?.fix).toContain('sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0');
  });
});

describe('explainStartFailure', () => {
  it('says unshare is missing when it is', () => {
    expect(explainStartFailure('spawn unshare ENOENT', sysctls({})).fix).toContain('util-linux');
  });

  it("quotes unshare's refusal when no known setting explains it", () => {
    const why = explainStartFailure('unshare: unshare failed: Operation not permitted\n', sysctls({}));
    expect(why.error).toContain('unshare failed: Operation not permitted');
    expect(why.fix).toContain('root');
  });
});
