/** 简体中文：TCP 套接字的内核视图（TCP_INFO 面板与曲线图）。 */
import type { TcpInfoMessages } from './tcpinfo.en';

export const tcpinfoZhCN: TcpInfoMessages = {
  tcpinfo: {
    tab: 'TCP_INFO',
    noSocket: '选择一个 TCP 套接字，查看内核眼中的它。',
    notTcp: 'fd {fd} 不是 TCP 套接字：只有基于 IPv4 或 IPv6 的 SOCK_STREAM 才有 TCP_INFO。',
    noSample: '尚无采样。',
    kernelState: '内核：',
    kernelStateTitle: '内核为此套接字记录的状态（getsockopt TCP_INFO 的 tcpi_state）',
    wireState: '线路：',
    disagree:
      '两者不一致：内核说是 {kernel}，数据包推断为 {wire}。数据包反映的是线路上经过的内容；内核可能已经进入下一个状态（或有数据包未被捕获）。',
    ssTitle: '`ss -ti` 对此套接字的输出',
    field: {
      rtt: 'RTT / 方差',
      rto: '重传超时（RTO）',
      cwnd: '拥塞窗口（报文段）',
      ssthresh: '慢启动阈值',
      unset: '未设置（尚无丢包）',
      inFlight: '在途（报文段）',
      unackedCount: '{n} 个未确认',
      retrans: '重传（当前 / 累计）',
      lost: '丢失',
      reordering: '乱序度',
      mss: 'MSS（发送 / 接收）',
      pmtu: '路径 MTU',
      rcvSpace: '接收空间',
      deliveryRate: '交付速率',
      pacingRate: '发送节奏速率',
      congestion: '拥塞控制算法',
    },
    plot: {
      title: '拥塞窗口、慢启动阈值、在途报文段与 RTT 随时间的变化',
      cwnd: 'cwnd',
      ssthresh: 'ssthresh',
      inFlight: '在途',
      rtt: 'RTT',
      segments: '段',
      ms: '毫秒',
    },
  },
};
