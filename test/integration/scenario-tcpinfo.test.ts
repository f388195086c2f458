/** Scenario wait steps on the kernel's view of a TCP socket (`tcpInfo:`), on real loopback sockets. */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/main/lab/index';
import { parseScenarioText, runScenario } from '../../src/main/lab/scenario/index';

let lab: Lab;
beforeEach(() => {
  lab = createLab({ captureLauncher: 'none' });
});
afterEach(async () => {
  await lab.close();
});

const run = (steps: string) => runScenario(lab, parseScenarioText(`name: t\nsteps:\n${steps}`, 't.yaml'));
const pair = `  - { call: socket, domain: AF_INET, type: SOCK_STREAM, as: server }
  - { call: bind, sock: server, address: "127.0.0.1:0" }
  - { call: listen, sock: server }
  - { call: socket, domain: AF_INET, type: SOCK_STREAM, as: client }
  - { call: connect, sock: client, address: "127.0.0.1:\${server.port}" }
  - { call: accept, sock: server, as: conn }
`;

describe('wait: … tcpInfo:', () => {
  it('holds on an ESTABLISHED pair and a listener; the report records what the kernel said', async () => {
    const congestion = readFileSync('/proc/sys/net/ipv4/tcp_congestion_control', 'utf8').trim();
    const report = await run(`${pair}  - { wait: server, tcpInfo: { state: LISTEN } }
  - { wait: client, tcpInfo: { state: ESTABLISHED, snd_cwnd: ">=10", rtt: ">0", total_retrans: 0, congestion: ${congestion} } }
  - { call: shutdown, sock: client, how: SHUT_WR }
  - { wait: conn, until: { peerClosed: false }, tcpInfo: { state: CLOSE_WAIT } }
`);
    expect(report.steps.filter((s) => !s.pass).map((s) => s.failures)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.steps[7].result).toMatchObject({ tcpInfo: { state: 'ESTABLISHED', total_retrans: 0, congestion } });
    expect((report.steps[7].result.tcpInfo as { snd_cwnd: number }).snd_cwnd).toBeGreaterThanOrEqual(10);
    // The kernel has the FIN (CLOSE_WAIT) before the lab reads it: recv() has not been called.
    expect(report.steps[9].result).toMatchObject({ peerClosed: false, tcpInfo: { state: 'CLOSE_WAIT' } });
  });

  it('a condition that never holds fails with what the kernel said; a UDP socket says it has no TCP_INFO', async () => {
    const report = await run(`${pair}  - { wait: client, tcpInfo: { total_retrans: ">0" }, timeoutMs: 150 }
  - { call: socket, domain: AF_INET, type: SOCK_DGRAM, as: udp }
  - { wait: udp, tcpInfo: { state: ESTABLISHED }, timeoutMs: 50 }
`);
    expect(report.steps[6].failures[0]).toContain('tcpInfo.total_retrans should be > 0, but it is 0');
    expect(report.steps[8].failures[0]).toContain('ENOPROTOOPT');
  });

  it('refuses a field struct tcp_info does not have, and an empty wait', () => {
    expect(() => parseScenarioText('name: t\nsteps:\n  - { wait: x, tcpInfo: { cwnd: 10 } }', 't.yaml')).toThrow(/tcpInfo/);
    expect(() => parseScenarioText('name: t\nsteps:\n  - { wait: x }', 't.yaml')).toThrow(/at least one condition/);
  });
});
