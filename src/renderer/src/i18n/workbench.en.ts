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
    start: {
      title: 'Start here',
      intro: 'Walk through a classic exchange call by hand: each step says which call comes next and why, and highlights it.',
      byHand: 'Or make any socket yourself with the socket() form below.',
    },
    guide: {
      progress: 'step {n} of {total}',
      next: 'Next:',
      end: 'End walk',
      create: 'Call {call}',
      prepare: 'Prepare {call}',
      onSocket: '{role}, fd {fd}',
      role: {
        server: 'the listening server socket',
        client: 'the client socket',
        conn: 'the connection accept() returned',
        a: 'datagram socket A',
        b: 'datagram socket B',
      },
      tcp: {
        title: 'TCP: a server and a client',
        flow: 'socket → bind → listen → accept ⇄ connect → send/recv → close',
        summary: 'Two sockets on this machine, a connection between them, data both ways, and the close.',
        serverSocket: 'socket(AF_INET, SOCK_STREAM, 0) makes the server’s socket: a descriptor with no address yet.',
        bind: 'bind() gives it an address: 127.0.0.1 and port 0, so the kernel picks a free port (the table shows it).',
        listen: 'listen() turns it into a listening socket: the kernel now completes handshakes and queues them (backlog 5).',
        clientSocket: 'A second socket, the client: socket(AF_INET, SOCK_STREAM, 0) again.',
        connect: 'connect() to the server’s address: the SYN, SYN-ACK, ACK handshake happens now, before anyone calls accept().',
        accept: 'accept() on the listening socket takes the finished connection from its queue and returns a NEW descriptor for it.',
        clientSend: 'send() from the client: the bytes go out in one segment and wait in the server’s receive buffer.',
        serverRecv: 'recv() on the accepted descriptor (not the listener!) reads what the client sent.',
        serverSend: 'send() a reply on the accepted descriptor.',
        clientRecv: 'recv() on the client reads the reply.',
        clientClose: 'close() on the client sends FIN: this side is done sending.',
        serverRecvZero: 'recv() on the server now returns 0: end of stream, the peer closed.',
        connClose: 'close() the accepted descriptor: its FIN ends the connection.',
        serverClose: 'close() the listening socket: no more connections on that port.',
        done: 'Done: a whole TCP conversation by hand. The closed sockets stay greyed in the table with their results and transcripts; the Packets tab shows what each call put on the wire.',
      },
      udp: {
        title: 'UDP: two datagram sockets',
        flow: 'socket → bind → recvfrom ⇄ socket → sendto → close',
        summary: 'No connection: each datagram carries its own address.',
        aSocket: 'socket(AF_INET, SOCK_DGRAM, 0) makes socket A.',
        aBind: 'bind() A to 127.0.0.1, port 0: the kernel picks a port, so B knows where to send.',
        bSocket: 'socket(AF_INET, SOCK_DGRAM, 0) makes socket B; it needs no bind().',
        bSendto: 'sendto() from B to A’s address: B is bound implicitly to a port of its own, and one datagram goes out.',
        aRecvfrom: 'recvfrom() on A reads the datagram and tells who sent it (B’s address).',
        aSendto: 'sendto() a reply from A to B’s address (the one recvfrom() reported).',
        bRecvfrom: 'recvfrom() on B reads the reply.',
        aClose: 'close() A: nothing goes on the wire, UDP has no connection to end.',
        bClose: 'close() B.',
        done: 'Done: two datagrams, no handshake and no FIN. Compare with the TCP walk in the Packets tab.',
      },
    },
    number: {
      whole: '{field} must be a whole number from {min} to {max}.',
      range: '{field} must be from {min} to {max}.',
    },
    icmp: {
      echoRequest: '{n}: echo request',
      echoReply: '{n}: echo reply',
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
