/** The runner's own behaviour against a real lab: failures, timeouts, background calls. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/main/lab/index';
import { parseScenarioText, runScenario, type StepRecord } from '../../src/main/lab/scenario/index';

let lab: Lab;
beforeEach(() => {
  lab = createLab({ captureLauncher: 'none' });
});
afterEach(async () => {
  await lab.close();
});

const server = `  - { call: socket, domain: AF_INET, type: SOCK_STREAM, as: server }
  - { call: bind, sock: server, address: "127.0.0.1:0" }
  - { call: listen, sock: server }
`;
const run = (steps: string, onStep?: (r: StepRecord) => void) =>
  runScenario(lab, parseScenarioText(`name: t\nsteps:\n${steps}`, 't.yaml'), { onStep });

describe('runScenario', () => {
  it('reports a failed expectation with what the OS answered, and goes on', async () => {
    const report = await run(`${server}  - { call: getsockname, sock: server, id: was }
  - { call: close, sock: server }
  - { call: socket, domain: AF_INET, type: SOCK_STREAM, as: client }
  - { call: connect, sock: client, address: "127.0.0.1:\${was.address.port}", expect: { ret: 0 } }
  - { call: close, sock: client, expect: { ret: 0 } }
`);
    expect(report.ok).toBe(false);
    expect(report.failed).toBe(1);
    const connect = report.steps[6];
    expect(connect).toMatchObject({ call: 'connect', ok: false, ret: -1, errno: 'ECONNREFUSED', pass: false });
    expect(connect.failures[0]).toMatch(/^ret should be 0, but it is -1/);
    expect(report.steps[7]).toMatchObject({ call: 'close', ret: 0, pass: true });
  });

  it('cancels a call still blocked at its timeout (EINTR) and leaves the socket usable', async () => {
    const report = await run(`${server}  - { call: accept, sock: server, timeoutMs: 100 }
  - { call: fcntl, sock: server, nonblock: true }
  - { call: accept, sock: server, expect: { errno: EAGAIN } }
`);
    const accept = report.steps[3];
    expect(accept).toMatchObject({ timedOut: true, ok: false, errno: 'EINTR', pass: false });
    expect(accept.failures[0]).toContain('still blocked when the step timed out');
    expect(report.steps[5]).toMatchObject({ errno: 'EAGAIN', pass: true });
  });

  it('reports a background call where it is awaited, with the socket it names', async () => {
    const order: string[] = [];
    const report = await run(
      `${server}  - { call: accept, id: acc, sock: server, as: conn, background: true, expect: { peer: "127.0.0.1:\${client.port}" } }
  - { call: socket, domain: AF_INET, type: SOCK_STREAM, as: client }
  - { call: connect, sock: client, address: "127.0.0.1:\${server.port}" }
  - await: acc
  - { call: getpeername, sock: conn, expect: { address: "127.0.0.1:\${client.port}" } }
`,
      (record) => order.push(`${record.step}:${record.call}`),
    );
    expect(report.steps.map((r) => r.pass)).toEqual([true, true, true, true, true, true, true]);
    expect(order).toEqual(['1:socket', '2:bind', '3:listen', '5:socket', '6:connect', '4:accept', '8:getpeername']);
    expect(report.steps.find((r) => r.call === 'accept')?.background).toBe(true);
  });

  it('reports background calls nobody awaited at the end', async () => {
    const report = await run(`${server}  - { call: accept, sock: server, background: true, timeoutMs: 100, expect: { timeout: true } }\n`);
    expect(report.steps.at(-1)).toMatchObject({ call: 'accept', timedOut: true, errno: 'EINTR', pass: true });
  });

  it('fails steps on a socket whose creation failed, saying so', async () => {
    const report = await run(`  - { call: socket, domain: AF_UNIX, type: SOCK_DGRAM, as: u }
  - { call: bind, sock: u, address: "unix:\${tmp}/u.sock" }
`);
    expect(report.steps[0].ok).toBe(false);
    expect(report.steps[1]).toMatchObject({ ok: null, pass: false });
    expect(report.steps[1].failures).toEqual(['socket "u" does not exist: the step that should have created it failed']);
  });

  it('gives up a wait step at its timeout, naming the condition', async () => {
    const report = await run(`${server}  - { wait: server, until: { acceptQueue: ">0" }, timeoutMs: 50 }\n`);
    expect(report.steps[3].failures).toEqual(['gave up waiting after 50 ms: acceptQueue should be > 0, but it is 0']);
  });

  it('summarises payloads in the records and sends repeat copies', async () => {
    const report = await run(`  - { call: socket, domain: AF_INET, type: SOCK_DGRAM, as: a }
  - { call: bind, sock: a, address: "127.0.0.1:0" }
  - { call: sendto, sock: a, data: "ab", repeat: 500, address: "127.0.0.1:\${a.port}", expect: { ret: 1000 } }
  - { call: recvfrom, sock: a, maxBytes: 4, expect: { data: abab, from: "127.0.0.1:\${a.port}" } }
`);
    expect(report.ok).toBe(true);
    expect(report.steps[2].args.data).toMatchObject({ length: 1000, truncated: true });
    expect(report.steps[3].result.data).toEqual({ length: 4, text: 'abab', hex: '61626162', truncated: false });
  });

  it('resolves ${name.…} to the socket the step named after its descriptor went to a new socket', async () => {
    const report = await run(`${server}  - { call: socket, domain: AF_INET, type: SOCK_STREAM, as: cli }
  - { call: connect, sock: cli, address: "127.0.0.1:\${server.port}" }
  - { call: getsockname, sock: cli, id: name }
  - { call: close, sock: cli }
  - { call: socket, domain: AF_INET, type: SOCK_DGRAM, as: udp, expect: { ret: "\${cli.fd}" } }
  - { call: bind, sock: udp, address: "127.0.0.1:0" }
  - { call: getsockname, sock: udp, id: udpName }
  - { call: recv, sock: server, maxBytes: 1, timeoutMs: 1, expect: { ok: false } }
  - { call: sendto, sock: udp, data: x, address: "127.0.0.1:\${cli.port}", expect: { ret: 1 } }
  - { call: getsockname, sock: cli }
`);
    const [cliPort, udpPort] = [report.steps[5].result.address, report.steps[9].result.address] as { port: number }[];
    expect(cliPort.port).not.toBe(udpPort.port);
    // ${cli.port} in step 12 is the closed TCP socket's port, not the UDP socket's.
    expect(report.steps[11].args.address).toMatchObject({ port: cliPort.port });
    expect(report.steps[7]).toMatchObject({ call: 'socket', pass: true });
    // Naming the closed socket for a call is refused: fd 4 now belongs to the UDP socket.
    expect(report.steps[12]).toMatchObject({ call: 'getsockname', ok: null, pass: false });
    expect(report.steps[12].failures[0]).toContain('socket "cli" was closed and its descriptor 4 now belongs to another socket');
  });
});
