/**
 * The lab's sentences in Simplified Chinese (keys and English in lab-text.ts). The type below
 * makes a missing key, an extra key, or a template whose `{parameters}` differ from English's a
 * compile error.
 */
import type { LAB_TEXT_EN, LabTextKey, Placeholders } from './lab-text';

type English = typeof LAB_TEXT_EN;

/** For each key: a template using exactly English's parameters, or `never` (a type error). */
type SameParameters<T extends Record<LabTextKey, string>> = {
  [K in LabTextKey]: [Placeholders<T[K]>] extends [Placeholders<English[K]>]
    ? [Placeholders<English[K]>] extends [Placeholders<T[K]>]
      ? T[K]
      : never
    : never;
};

function checked<const T extends Record<LabTextKey, string>>(table: T & SameParameters<T>): Readonly<Record<LabTextKey, string>> {
  return table;
}

export const LAB_TEXT_ZH_CN = checked({
  'bind.addressInUse': '{address} 已被占用。',
  'bind.privilegedPort': '端口 {port} 小于 1024，而本进程没有特权。',
  'bind.addressNotAvailable': '本机没有任何接口拥有地址 {address}。',
  'bind.alreadyBound': '描述符 {fd} 已绑定到 {address}（或处于 {state} 状态）；一个套接字只能绑定一次。',
  'listen.notListenable': '描述符 {fd} 处于 {state} 状态；只有未连接的套接字才能 listen。',
  'cancel.notOpen': '描述符 {fd} 不是一个打开的套接字。',
  'check.inOrder': '按顺序：帧 {frames}',
  'check.noPacketMatching': '没有捕获到匹配 "{filter}" 的数据包{before}{capture}',
  'check.afterFrame': '（在帧 {frame} 之后）',
  'check.noCapture': '（无法捕获任何数据包：{problem}）',
  'check.packetsFound': '{count} 个匹配 "{filter}" 的数据包{after}：帧 {frames}',
  'check.afterCall': '（在 {call} 之后）',
  'check.none': '无',
});
