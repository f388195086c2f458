/** 工作台布局与工具的简体中文文本：窗格与分隔条、已关闭的套接字、开始页与引导、文本编码、仅实验抓包、快捷工具。结构必须与 workbench.en.ts 一致。 */
import type { WorkbenchMessages } from './workbench.en';

export const workbenchZhCN: WorkbenchMessages = {
  workbench: {
    layout: {
      leftSplitter: '调整套接字栏的宽度（方向键移动，Home/End 跳到两端）',
      ladderSplitter: '调整调用面板旁梯形图的宽度（方向键移动，Home/End 跳到两端）',
      listSplitter: '调整数据包列表与字段树、字节区之间的高度',
      treeSplitter: '调整字段树与字节区之间的宽度',
      ladder: '梯形图在旁',
      ladderTitle: '在调用面板旁显示或隐藏梯形图',
      packetsFocus: '数据包全窗口',
      packetsFocusTitle: '让数据包列表、字段树和字节区占满整个窗口，与 Wireshark 相同（Alt+P）',
      backToLab: '返回工作台',
    },
    sockets: {
      moreColumns: '更多列',
      fewerColumns: '更少列',
      columnsTitle: '显示或隐藏等待接受队列、待接收字节和收发计数（也在每行的提示中）',
      clearClosed: '清除已关闭（{n}）',
      tcpTitle: 'TCP 状态：内核自身的状态（TCP_INFO），或由抓到的数据包推断（虚线框）',
      tcpKernel: '内核中的状态（getsockopt TCP_INFO）',
    },
    closed: {
      title: '描述符 {fd} 已关闭',
      note: '此套接字已关闭，不能再对它进行调用。它的描述符编号可能已分配给新的套接字。它的收发记录和数据包会保留，直到你清除已关闭的套接字。',
      noResult: '它是由对端或实验重置关闭的。',
    },
    reset: {
      open: '重置实验…',
      title: '要重置实验吗？',
      body: '所有套接字都将被关闭，调用记录、收发记录和抓到的数据包都将被清除。此操作无法撤销。',
      cancel: '取消',
      confirm: '重置实验',
    },
    encoding: {
      label: '文本编码',
      title: '以文本显示时收到的字节如何解码',
      'utf-8': 'UTF-8',
      gbk: 'GBK',
      hex: '十六进制',
    },
    capture: {
      scope: {
        label: '抓取范围',
        title: '只抓实验中套接字的流量（按它们的端口过滤），或抓取此接口上的全部流量',
        lab: '仅实验套接字',
        all: '全部',
      },
      noPorts: '还没有实验套接字拥有端口，因此这次抓包会抓取接口上的全部流量：先 bind() 或 connect()，即可只抓实验流量。',
      missing:
        '端口 {ports} 是在抓包开始后才绑定的，不在抓包过滤器中：停止并重新开始抓包才能看到它的数据包。 | 端口 {ports} 是在抓包开始后才绑定的，不在抓包过滤器中：停止并重新开始抓包才能看到它们的数据包。',
    },
    shortcuts: {
      packetsFocus: '数据包占满整个窗口，或返回工作台',
      packets: '在数据包列表中：上一个/下一个数据包，上一页/下一页，第一个/最后一个',
      calls: '在调用面板中：上一个/下一个调用，第一个/最后一个',
      splitters: '在分隔条上：移动它',
    },
  },
};
