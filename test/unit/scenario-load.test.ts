import { describe, expect, it } from 'vitest';
import { ScenarioFileError, parseScenarioText } from '../../src/main/lab/scenario/load';

/** The problems a scenario text is rejected with (fails the test when it is accepted). */
function problemsOf(text: string, source = 'test.yaml'): string[] {
  try {
    parseScenarioText(text, source);
  } catch (error) {
    if (error instanceof ScenarioFileError) return error.problems;
    throw error;
  }
  throw new Error('the scenario was accepted');
}

const socketStep = '  - { call: socket, domain: AF_INET, type: SOCK_STREAM, as: server }\n';

describe('scenario files: what is accepted', () => {
  it('reads YAML with shorthand, templates, refs and defaults', () => {
    const scenario = parseScenarioText(
      `name: ok\nsteps:\n${socketStep}  - { call: bind, sock: server, address: "127.0.0.1:0" }\n  - { call: connect, sock: server, address: { ref: server.local } }\n`,
      'x.yaml',
    );
    expect(scenario.steps).toHaveLength(3);
    expect(scenario.timeoutMs).toBe(5000);
    expect(scenario.requires).toEqual([]);
  });

  it('reads JSON', () => {
    const scenario = parseScenarioText(JSON.stringify({ name: 'j', timeoutMs: 100, steps: [{ sleep: 5 }] }), 'x.json');
    expect(scenario.timeoutMs).toBe(100);
    expect(scenario.steps[0]).toEqual({ sleep: 5 });
  });

  it('lets a background call expect a socket named after it, checked where it is awaited', () => {
    const text = `name: bg\nsteps:\n${socketStep}  - { call: accept, id: acc, sock: server, background: true, expect: { peer: "127.0.0.1:\${client.port}" } }\n  - { call: socket, domain: AF_INET, type: SOCK_STREAM, as: client }\n  - await: acc\n`;
    expect(parseScenarioText(text, 'x.yaml').steps).toHaveLength(4);
  });
});

describe('scenario files: what is refused, and how it is explained', () => {
  it('points at an unknown field and suggests the right one', () => {
    const problems = problemsOf(`name: t\nsteps:\n${socketStep}  - { call: bind, sock: server, adress: "127.0.0.1:0" }\n`);
    expect(problems).toContain('step 2 (bind): unknown field "adress" (did you mean "address"?)');
    expect(problems).toContain('step 2 (bind): field "address" is missing');
  });

  it('names a missing field', () => {
    const problems = problemsOf(`name: t\nsteps:\n${socketStep}  - { call: bind, sock: server }\n`);
    expect(problems).toContain('step 2 (bind): field "address" is missing');
  });

  it('suggests a call for a misspelt one and lists them all', () => {
    const [problem] = problemsOf(`name: t\nsteps:\n${socketStep}  - { call: recieve, sock: server }\n`);
    expect(problem).toMatch(/^step 2 \(recieve\): unknown call "recieve" \(did you mean "recv"\?\); the calls are socket, bind/);
  });

  it('refuses a socket name no earlier step defines', () => {
    const [problem] = problemsOf(`name: t\nsteps:\n${socketStep}  - { call: listen, sock: sever }\n`);
    expect(problem).toBe(
      'step 2 (listen): no earlier step names a socket "sever" (name one with as: on socket or accept) (did you mean "server"?)',
    );
  });

  it('refuses a reference to something defined only later', () => {
    const [problem] = problemsOf(
      `name: t\nsteps:\n${socketStep}  - { call: connect, sock: server, address: "127.0.0.1:\${other.port}" }\n  - { call: socket, domain: AF_INET, type: SOCK_STREAM, as: other }\n`,
    );
    expect(problem).toContain('step 2 (connect): "${other...}" refers to "other", which no earlier step defines');
  });

  it('refuses await of a step that is not in the background', () => {
    const problems = problemsOf(`name: t\nsteps:\n${socketStep}  - { call: listen, id: l, sock: server }\n  - await: l\n`);
    expect(problems).toEqual(['step 3 (await): await "l" needs an earlier step with id: l and background: true']);
  });

  it('wants exactly one of data and dataHex on send', () => {
    const problems = problemsOf(`name: t\nsteps:\n${socketStep}  - { call: send, sock: server }\n`);
    expect(problems[0]).toContain('give the bytes to send with either data: (text) or dataHex: (hex)');
  });

  it('refuses an errno name it does not know, and a wrong domain', () => {
    const problems = problemsOf(
      `name: t\nsteps:\n  - { call: socket, domain: AF_INET4, type: SOCK_STREAM, as: s }\n  - { sleep: 1, id: z }\n  - { call: close, fd: 3, expect: { errno: ECONREFUSED } }\n`,
    );
    expect(problems[0]).toMatch(/^step 1 \(socket\): field "domain"/);
    expect(problems[1]).toContain('step 3 (close): field "expect.errno": "ECONREFUSED" is not an errno name');
  });

  it('bounds timeouts and sleeps', () => {
    const [problem] = problemsOf('name: t\nsteps:\n  - sleep: 600000\n');
    expect(problem).toBe('step 1 (sleep): field "sleep": at most 60000 ms');
  });

  it('says which kind of step it wanted', () => {
    expect(problemsOf('name: t\nsteps:\n  - { sock: a }\n')[0]).toBe(
      'step 1: say what the step does with one of: call, sleep, wait, await, cancel, link',
    );
    expect(problemsOf('name: t\nsteps:\n  - { sleep: 1, await: x }\n')[0]).toBe(
      'step 1 (sleep): a step does one thing, but it has sleep and await',
    );
  });

  it('explains broken YAML and a missing name', () => {
    expect(problemsOf('name: [unclosed\nsteps: []\n')[0]).toMatch(/^not valid YAML: /);
    expect(problemsOf('{"steps": [{"sleep": 1}]}', 'x.json')[0]).toBe('scenario: field "name" is missing');
  });

  it('checks address shorthand that needs no reference before running', () => {
    const [problem] = problemsOf(`name: t\nsteps:\n${socketStep}  - { call: bind, sock: server, address: "127.0.0.1" }\n`);
    expect(problem).toBe('step 2 (bind): field "address": address "127.0.0.1": add the port, as in "127.0.0.1:8080" (0 picks a free one)');
  });

  it('refuses the same id twice', () => {
    const problems = problemsOf('name: t\nsteps:\n  - { sleep: 1, id: a }\n  - { sleep: 1, id: a }\n');
    expect(problems).toEqual(['step 2 (sleep, id "a"): id "a" is already used as a step id or socket name']);
  });
});
