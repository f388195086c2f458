/**
 * Exercise checks on the kernel's view of a TCP socket (`socket: ROLE, tcpInfo: {...}`), graded
 * through the real grader on real loopback sockets: a solution that reaches the state passes,
 * one that does not fails with what the kernel showed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/main/lab/index';
import { parseScenarioText } from '../../src/main/lab/scenario/index';
import { gradeScenario } from '../../src/main/lab/exercises/grade';
import { parseExerciseText } from '../../src/main/lab/exercises/load';

const exercise = parseExerciseText(`
id: kernel-half-close
title: { en: The kernel's side of a half-close, zh: 半关闭时内核的状态 }
goal: { en: Make the server's kernel hold CLOSE_WAIT, zh: 让服务器一侧的内核处于 CLOSE_WAIT }
explanation: { en: shutdown(SHUT_WR) sends a FIN, zh: shutdown(SHUT_WR) 发送 FIN }
tags: [tcp]
roles:
  client: { title: { en: the client, zh: 客户端 }, type: SOCK_STREAM, made: connect }
  conn: { title: { en: the accepted socket, zh: 被接受的套接字 }, type: SOCK_STREAM }
steps: [{ en: Connect and half-close, zh: 连接并半关闭 }]
hints: []
checks:
  - id: established
    title: { en: The client was ESTABLISHED with a full window, zh: 客户端处于 ESTABLISHED }
    explain: { en: TCP_INFO, zh: TCP_INFO }
    socket: client
    tcpInfo: { state: ESTABLISHED, snd_cwnd: ">=10", total_retrans: 0 }
  - id: close-wait
    title: { en: The server's kernel saw the FIN, zh: 服务器内核收到了 FIN }
    explain: { en: TCP_INFO, zh: TCP_INFO }
    socket: conn
    tcpInfo: { state: CLOSE_WAIT }
`);

const solution = (halfClose: boolean) =>
  parseScenarioText(
    `name: s
steps:
  - { call: socket, domain: AF_INET, type: SOCK_STREAM, as: server }
  - { call: bind, sock: server, address: "127.0.0.1:0" }
  - { call: listen, sock: server }
  - { call: socket, domain: AF_INET, type: SOCK_STREAM, as: client }
  - { call: connect, sock: client, address: "127.0.0.1:\${server.port}" }
  - { call: accept, sock: server, as: conn }
${halfClose ? '  - { call: shutdown, sock: client, how: SHUT_WR }\n  - { wait: conn, tcpInfo: { state: CLOSE_WAIT } }\n' : ''}  - { call: close, sock: conn }
  - { call: close, sock: client }
`,
    's.yaml',
  );

let lab: Lab;
beforeEach(() => {
  lab = createLab({ captureLauncher: 'none' });
});
afterEach(async () => {
  await lab.close();
});

describe('exercise checks on TCP_INFO', () => {
  it('a solution that half-closes passes both checks, even though its sockets are closed by the end', async () => {
    const report = await gradeScenario(lab, exercise, solution(true));
    expect(report.results.map((r) => [r.id, r.passed, r.detail])).toEqual([
      ['established', true, expect.stringContaining("the kernel's view of client (TCP_INFO) had state=ESTABLISHED")],
      ['close-wait', true, expect.stringContaining('state=CLOSE_WAIT')],
    ]);
  });

  it('one that never half-closes fails close-wait, saying what the kernel showed', async () => {
    const report = await gradeScenario(lab, exercise, solution(false));
    const closeWait = report.results.find((r) => r.id === 'close-wait');
    expect(closeWait?.passed).toBe(false);
    expect(closeWait?.detail).toMatch(
      /no TCP_INFO sample of conn \(\d+ taken\) had all of that; the last: tcpInfo\.state should be "CLOSE_WAIT", but it is "ESTABLISHED"/,
    );
  });

  it('refuses a field struct tcp_info does not have', () => {
    expect(() => parseExerciseText(JSON.stringify({ ...exercise, checks: [{ ...exercise.checks[0], tcpInfo: { cwnd: 10 } }] }))).toThrow();
  });
});
