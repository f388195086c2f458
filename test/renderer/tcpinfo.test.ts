/**
 * The TCP_INFO panel: the kernel's view of the selected TCP socket, live from events, in the
 * `ss -ti` shape, with the kernel's state beside the wire's (and the disagreement said), the
 * plot's lines, both languages, and the sockets that have no TCP_INFO.
 */
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import type { TcpInfoSample } from '@shared/tcpinfo';
import TcpInfoPanel from '@renderer/components/tcpinfo/TcpInfoPanel.vue';
import { plotGeometry } from '@renderer/components/tcpinfo/plot';
import { ssLine } from '@renderer/components/tcpinfo/tcpInfoFormat';
import { useSocketsStore } from '@renderer/stores/sockets';
import { i18n } from '@renderer/i18n';
import { settle, setupLab, socketInfo } from './fakeLab';
import { tcpInfoSample as sample } from './tcpInfoFixture';

async function mountOn(patch: Parameters<typeof socketInfo>[0], history: TcpInfoSample[] = [sample()]) {
  const lab = setupLab();
  lab.fake.respond('socket.tcpInfo', () => ({ ok: true, value: { now: null, history } }));
  useSocketsStore().setAll([socketInfo({ fd: 3, socketId: 1, state: 'connected', ...patch })]);
  const wrapper = mount(TcpInfoPanel, { global: lab.global });
  await settle();
  return { ...lab, wrapper };
}

describe('TCP_INFO panel', () => {
  it('loads the selected socket’s history and prints the ss -ti line', async () => {
    const { fake, wrapper } = await mountOn({});
    expect(fake.inputsOf('socket.tcpInfo')).toEqual([{ socketId: 1, history: true }]);
    expect(wrapper.get('[data-testid="tcpinfo-kernel-state"]').text()).toContain('ESTABLISHED');
    expect(wrapper.get('[data-testid="tcpinfo-ss"]').text()).toBe(
      'cubic rto:204 rtt:0.031/0.015 ato:40 mss:32768 pmtu:65535 rcvmss:536 advmss:65483 cwnd:10 bytes_sent:12 bytes_acked:13 segs_out:4 segs_in:3 pacing_rate 16.9Gbps rcv_space:65483 rcv_ssthresh:65483 minrtt:0.012 snd_wnd:65536',
    );
    expect(wrapper.get('[data-field="ssthresh"]').text()).toBe('not set (no loss yet)');
    expect(wrapper.get('[data-field="congestion"]').text()).toBe('cubic');
  });

  it('follows samples live; retransmissions show as ss shows them; the plot draws the lines', async () => {
    const { fake, wrapper } = await mountOn({});
    fake.emit('tcpinfo.samples', {
      samples: [
        sample({ atUs: 1_500_000, snd_cwnd: 7, snd_ssthresh: 7, retrans: 1, total_retrans: 4, unacked: 5, in_flight: 6, rtt: 2_000 }),
      ],
    });
    await settle();
    expect(wrapper.get('[data-testid="tcpinfo-ss"]').text()).toContain('cwnd:7 ssthresh:7');
    expect(wrapper.get('[data-testid="tcpinfo-ss"]').text()).toContain('unacked:5 retrans:1/4');
    expect(wrapper.get('[data-field="cwnd"]').text()).toBe('7');
    expect(wrapper.get('[data-field="retrans"]').text()).toBe('0 / 4');
    const lines = wrapper.findAll('path[data-series]');
    expect(lines.map((l) => l.attributes('data-series'))).toEqual(['cwnd', 'ssthresh', 'inFlight', 'rtt']);
    expect(wrapper.get('path[data-series="cwnd"]').attributes('d')).toMatch(/^M44\.0,/);
    // Samples of another socket do not show here.
    fake.emit('tcpinfo.samples', { samples: [sample({ socketId: 2, atUs: 2_000_000, snd_cwnd: 99 })] });
    await settle();
    expect(wrapper.get('[data-field="cwnd"]').text()).toBe('7');
  });

  it('shows both states when the kernel and the wire disagree, in both languages', async () => {
    const { wrapper } = await mountOn({ tcpState: 'FIN_WAIT_1' }, [sample({ state: 'FIN_WAIT_2', stateNumber: 5 })]);
    expect(wrapper.get('[data-testid="tcpinfo-wire-state"]').text()).toContain('FIN_WAIT_1');
    expect(wrapper.get('[data-testid="tcpinfo-kernel-state"]').text()).toContain('FIN_WAIT_2');
    expect(wrapper.get('[data-testid="tcpinfo-disagree"]').text()).toContain('the kernel says FIN_WAIT_2, the packets suggest FIN_WAIT_1');
    i18n.global.locale.value = 'zh-CN';
    await settle();
    expect(wrapper.get('[data-testid="tcpinfo-disagree"]').text()).toContain('内核说是 FIN_WAIT_2');
    expect(wrapper.get('[data-field="ssthresh"]').text()).toBe('未设置（尚无丢包）');
    i18n.global.locale.value = 'en';
  });

  it('agreeing states show no warning; a UDP socket has no TCP_INFO and asks for none', async () => {
    const agreeing = await mountOn({ tcpState: 'ESTABLISHED' });
    expect(agreeing.wrapper.find('[data-testid="tcpinfo-disagree"]').exists()).toBe(false);
    const udp = await mountOn({ type: 'SOCK_DGRAM' });
    expect(udp.wrapper.find('[data-testid="tcpinfo-not-tcp"]').text()).toContain('fd 3 is not a TCP socket');
    expect(udp.fake.inputsOf('socket.tcpInfo')).toEqual([]);
  });
});

describe('TCP_INFO formatting and plot geometry', () => {
  it('leaves out what the kernel did not return (an older kernel’s short struct)', () => {
    expect(
      ssLine(sample({ pacing_rate: null, delivery_rate: null, bytes_sent: null, snd_wnd: null, min_rtt: null, congestion: null })),
    ).toBe(
      'rto:204 rtt:0.031/0.015 ato:40 mss:32768 pmtu:65535 rcvmss:536 advmss:65483 cwnd:10 bytes_acked:13 segs_out:4 segs_in:3 rcv_space:65483 rcv_ssthresh:65483',
    );
  });

  it('scales each pane to a round maximum and draws steps in time', () => {
    const g = plotGeometry([sample({ atUs: 0, snd_cwnd: 10 }), sample({ atUs: 1_000_000, snd_cwnd: 14 })], 0, 100, [
      { top: 0, height: 100, series: ['cwnd', 'ssthresh', 'inFlight'] },
      { top: 100, height: 50, series: ['rtt'] },
    ]);
    expect(g.panes.map((p) => p.max)).toEqual([20, 0.05]);
    expect(g.paths.cwnd).toBe('M0.0,50.0H100.0V30.0H100.0');
    expect(g.paths.ssthresh).toBe(''); // infinite until a loss
    expect(g.spanS).toBe(1);
  });
});
