/** 权限说明的简体中文文本；结构必须与 `PrivilegesMessages`（privileges.en.ts）一致。 */
import type { PrivilegesMessages } from './privileges.en';

export const privilegesZhCN: PrivilegesMessages = {
  privilege: {
    title: 'SockLab 在这台机器上能做什么',
    intro:
      '本机上的套接字和实验网络中的套接字都不需要任何权限。抓取本机网卡的数据包、在本机上使用原始套接字则需要更多权限；下面列出每项权限带来什么、如何以最小权限获得。',
    open: '权限',
    notReady: '{count} 项需要设置',
    allReady: '全部就绪',
    close: '知道了',
    copy: '复制',
    copied: '已复制',
    run: '运行：',
    ready: '就绪',
    needsSetUp: '需要设置',
    ability: {
      labNetwork: '实验网络（多台主机、可丢包的链路、在链路上抓包）',
      hostCapture: '在本机网卡上抓包',
      hostRawSockets: '本机上的原始套接字（SOCK_RAW、ping）',
    },
    reason: {
      usernsReady: '无需权限即可使用：SockLab 会自行创建用户命名空间和网络命名空间。',
      usernsRoot: '可以使用（SockLab 以 root 身份运行）。',
      usernsApparmor:
        '此系统的 AppArmor 禁止非特权用户命名空间（Ubuntu 23.10 及以后）。安装 SockLab 的 AppArmor 配置文件（{profile}），即可只为 SockLab 放开。',
      usernsCloneOff: '内核参数 {sysctl} 禁止了非特权用户命名空间。允许后即可使用实验网络。',
      usernsMaxZero: '内核参数 {sysctl} 为 0，无法创建任何用户命名空间。调大后即可使用实验网络。',
      usernsUnknown: 'SockLab 无法判断是否允许用户命名空间；如果实验网络无法启动，它会说明原因。',
      linuxOnly: '实验网络依赖 Linux 网络命名空间，此系统上不可用。',
      captureRoot: '可以使用（SockLab 以 root 身份运行）。',
      captureCapNetRaw: '可以使用：本进程拥有 CAP_NET_RAW。',
      captureDumpcap: '通过 Wireshark 的 dumpcap（{path}）抓包：只有 dumpcap 持有抓包权限，而你在它的用户组 {group} 中。',
      dumpcapNotInGroup: 'Wireshark 的 dumpcap 已设置好，但用户 {user} 不在它的用户组 {group} 中。加入该组后，注销并重新登录。',
      dumpcapNoCapability: 'Wireshark 的 dumpcap 已安装，但还不能抓包。允许 {group} 组的成员抓包，并加入该组（然后注销并重新登录）。',
      dumpcapMissing:
        'SockLab 通过 Wireshark 的 dumpcap 抓包，这样只有这个小程序持有抓包权限。请安装它、允许非 root 用户抓包，并加入 wireshark 组（然后注销并重新登录）。',
      captureBpf: '可以使用：你能读取数据包过滤设备（/dev/bpf*）。',
      bpfNoAccess: '抓包需要读取 /dev/bpf* 的权限。Wireshark 的 ChmodBPF 安装包会把该权限授予 access_bpf 组。',
      captureNpcap: '通过 Npcap 抓包，可以使用。',
      npcapMissing: '在 Windows 上抓包需要 Npcap。请安装它（勾选“WinPcap API 兼容模式”）。',
      rawRoot: '本机上的原始套接字需要 root 权限。SockLab 绝不会要求给它自己的程序添加 capability。',
      rawCapNetRaw: '可以使用：本进程拥有 CAP_NET_RAW。',
      rawUseLabNetwork:
        '本机上的原始套接字需要 root 权限，但实验网络中的主机无需任何权限就能使用：在主机 A 或 B 上创建该套接字即可。也可以以 root 身份运行 SockLab。',
      rawAdministrator: '在 Windows 上使用原始套接字，需要以管理员身份运行 SockLab。',
    },
  },
};
