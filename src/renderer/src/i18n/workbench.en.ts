/**
 * English UI text of the workbench's arrangement and tools: panes and splitters, closed
 * sockets, the start screen and guided walks, text encodings, lab-only capture and the quick
 * tools. Its shape is `WorkbenchMessages`, which zh-CN must match.
 */
export const workbenchEn = {
  workbench: {
    layout: {
      leftSplitter: 'Resize the socket column (arrow keys move it, Home and End jump)',
      ladderSplitter: 'Resize the ladder beside the calls (arrow keys move it, Home and End jump)',
      listSplitter: 'Resize the packet list against the field tree and bytes',
      treeSplitter: 'Resize the field tree against the bytes',
      ladder: 'Ladder beside calls',
      ladderTitle: 'Show or hide the ladder diagram beside the call panel',
      packetsFocus: 'Packets full window',
      packetsFocusTitle: 'Give the packet list, field tree and bytes the whole window, as Wireshark does (Alt+P)',
      backToLab: 'Back to the workbench',
    },
    shortcuts: {
      packetsFocus: 'Packets in the whole window, or back to the workbench',
      packets: 'In the packet list: previous / next packet, a page up / down, first / last',
      calls: 'In the call panel: previous / next call, first / last',
      splitters: 'On a splitter: move it',
    },
  },
};

export type WorkbenchMessages = typeof workbenchEn;
