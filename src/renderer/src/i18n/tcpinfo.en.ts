/**
 * English UI text of the kernel's view of a TCP socket (TCP_INFO panel and plot). Its shape is
 * `TcpInfoMessages`, which zh-CN must match.
 */
export const tcpinfoEn = {
  tcpinfo: {
    tab: 'TCP_INFO',
    noSocket: 'Select a TCP socket to see the kernel’s view of it.',
    notTcp: 'fd {fd} is not a TCP socket: TCP_INFO exists only for SOCK_STREAM over IPv4 or IPv6.',
    noSample: 'No sample yet.',
    kernelState: 'Kernel:',
    kernelStateTitle: 'The state the kernel holds for this socket (getsockopt TCP_INFO, tcpi_state)',
    wireState: 'Wire:',
    disagree:
      'They disagree: the kernel says {kernel}, the packets suggest {wire}. The packets show what crossed the wire; the kernel may have moved on already (or a packet was not captured).',
    ssTitle: 'What `ss -ti` prints for this socket',
    field: {
      rtt: 'RTT / variance',
      rto: 'RTO',
      cwnd: 'Congestion window (segments)',
      ssthresh: 'Slow-start threshold',
      unset: 'not set (no loss yet)',
      inFlight: 'In flight (segments)',
      unackedCount: '{n} unacknowledged',
      retrans: 'Retransmissions (now / total)',
      lost: 'Lost',
      reordering: 'Reordering',
      mss: 'MSS (send / receive)',
      pmtu: 'Path MTU',
      rcvSpace: 'Receive space',
      deliveryRate: 'Delivery rate',
      pacingRate: 'Pacing rate',
      congestion: 'Congestion control',
    },
    plot: {
      title: 'Congestion window, slow-start threshold, segments in flight and RTT over time',
      cwnd: 'cwnd',
      ssthresh: 'ssthresh',
      inFlight: 'in flight',
      rtt: 'RTT',
      segments: 'seg',
      ms: 'ms',
    },
  },
};

export type TcpInfoMessages = typeof tcpinfoEn;
