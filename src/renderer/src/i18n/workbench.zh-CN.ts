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
    shortcuts: {
      packetsFocus: '数据包占满整个窗口，或返回工作台',
      packets: '在数据包列表中：上一个/下一个数据包，上一页/下一页，第一个/最后一个',
      calls: '在调用面板中：上一个/下一个调用，第一个/最后一个',
      splitters: '在分隔条上：移动它',
    },
  },
};
