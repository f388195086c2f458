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
    sockets: {
      moreColumns: 'More columns',
      fewerColumns: 'Fewer columns',
      columnsTitle: 'Show or hide the accept queue, bytes waiting and the counters (also in each row’s tooltip)',
      clearClosed: 'Clear closed ({n})',
      tcpTitle: 'TCP state: the kernel’s own (TCP_INFO), or inferred from captured packets (dashed)',
      tcpKernel: 'the kernel’s state (getsockopt TCP_INFO)',
    },
    closed: {
      title: 'fd {fd} is closed',
      note: 'This socket is closed: no more calls on it. Its descriptor number may already belong to a new socket. Its transcript and packets stay until you clear closed sockets.',
      noResult: 'It was closed by the other end, or by a lab reset.',
    },
    reset: {
      open: 'Reset lab…',
      title: 'Reset the lab?',
      body: 'Every socket is closed, and the call log, the transcripts and the captured packets are cleared. This cannot be undone.',
      cancel: 'Cancel',
      confirm: 'Reset lab',
    },
    encoding: {
      label: 'Text encoding',
      title: 'How received bytes are decoded when shown as text',
      'utf-8': 'UTF-8',
      gbk: 'GBK',
      hex: 'Hex',
    },
    capture: {
      scope: {
        label: 'What to capture',
        title: 'Only the lab’s own sockets (a filter on their ports), or everything on this interface',
        lab: 'Lab sockets only',
        all: 'Everything',
      },
      noPorts:
        'No lab socket has a port yet, so this capture takes everything on the interface: bind() or connect() first to keep it to the lab.',
      missing:
        'Port {ports} was bound after this capture started and is not in its filter: stop and start again to see its packets. | Ports {ports} were bound after this capture started and are not in its filter: stop and start again to see their packets.',
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
