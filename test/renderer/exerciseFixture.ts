/** A small bilingual exercise and check answers for the exercise panel tests. */
import type { Exercise, ExerciseCheckOutput, CheckResult } from '@shared/exercise';

export const TCP_EXERCISE: Exercise = {
  id: 'tcp-lifecycle',
  title: { en: 'The TCP server and client lifecycle', zh: 'TCP 服务器与客户端的生命周期' },
  goal: { en: 'Build a TCP server and a client on 127.0.0.1.', zh: '在 127.0.0.1 上建立一个 TCP 服务器和一个客户端。' },
  explanation: { en: 'A server calls socket(), bind(), listen().', zh: '服务器依次调用 socket()、bind()、listen()。' },
  tags: ['tcp'],
  requires: [],
  capture: 'tcp',
  roles: {
    server: { title: { en: 'the listening socket', zh: '监听套接字' }, type: 'SOCK_STREAM', made: 'listen' },
    conn: { title: { en: 'the socket accept() returned', zh: 'accept() 返回的套接字' }, acceptedFrom: 'server' },
  },
  steps: [
    { en: 'Create the server socket (`as: server`) and listen().', zh: '创建服务器套接字（`as: server`）并调用 listen()。' },
    { en: 'Connect a client to port ${server.port}.', zh: '把客户端连接到 ${server.port} 端口。' },
  ],
  hints: [
    { en: 'Use port 0 in bind().', zh: 'bind() 时使用 0 号端口。' },
    { en: 'recv() returns 0 after the FIN.', zh: 'FIN 之后 recv() 返回 0。' },
  ],
  checks: [
    {
      id: 'listening',
      title: { en: 'The server listens', zh: '服务器在监听' },
      explain: { en: 'listen() makes the socket passive.', zh: 'listen() 让套接字变为被动。' },
      call: 'listen',
      role: 'server',
      ok: true,
    },
    {
      id: 'handshake',
      title: { en: 'Three-way handshake', zh: '三次握手' },
      explain: { en: 'connect() sends SYN.', zh: 'connect() 发送 SYN。' },
      sequence: ['tcp.flags.syn == 1'],
    },
  ],
};

/** The summary `exercise.list` gives for an exercise. */
export function summaryOf(exercise: Exercise) {
  const { id, title, goal, tags, requires } = exercise;
  return { id, title, goal, tags, requires };
}

/** A check answer where the checks named in `passed` hold and the others do not. */
export function checkOutput(
  passed: readonly string[],
  roles: ExerciseCheckOutput['roles'] = { server: null, conn: null },
  sockets: ExerciseCheckOutput['sockets'] = [],
): ExerciseCheckOutput {
  const results: CheckResult[] = TCP_EXERCISE.checks.map((check) => ({
    id: check.id!,
    title: check.title!,
    explain: check.explain!,
    passed: passed.includes(check.id!),
    detail: passed.includes(check.id!) ? `${check.id} holds` : `${check.id} does not hold yet`,
    evidence: passed.includes(check.id!)
      ? { calls: [{ id: 7, fd: 3, socketId: 3, call: 'listen', ret: 0, errno: null }], packets: [{ no: 2, info: 'SYN' }] }
      : { calls: [], packets: [] },
  }));
  return { id: TCP_EXERCISE.id, passed: results.filter((r) => r.passed).length, total: results.length, roles, sockets, results };
}
