/**
 * The program writers on their own: literals that mean exactly the bytes, references made
 * symbolic, what cannot be exported refused with the step and the reason, and the CLI's exit codes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cString } from '../../src/main/lab/export/c';
import { exportCli } from '../../src/main/lab/export/cli';
import { ExportError, exportScenario } from '../../src/main/lab/export';
import { pyBytes } from '../../src/main/lab/export/python';
import { parseScenarioText } from '../../src/main/lab/scenario/load';

describe('literals', () => {
  it('C strings keep every byte, and a hex escape never swallows the next digit', () => {
    expect(cString(Buffer.from('hi "x"\\\r\n'))).toBe('"hi \\"x\\"\\\\\\r\\n"');
    // \x00 followed by "1" must not become \x001.
    expect(cString(Uint8Array.from([0, 0x31, 0xff, 0x41]))).toBe('"\\x00""1\\xff""A"');
  });
  it('Python bytes keep every byte', () => {
    expect(pyBytes(Uint8Array.from([0x27, 0x5c, 0x0a, 0x00, 0x41]))).toBe("b'\\'\\\\\\n\\x00A'");
  });
});

const flow = parseScenarioText(`
name: t
steps:
  - { call: socket, domain: AF_INET, type: SOCK_STREAM, as: server }
  - { call: bind, sock: server, address: "127.0.0.1:0" }
  - { call: getsockname, sock: server, id: name }
  - { call: listen, sock: server, backlog: 5 }
  - { call: socket, domain: AF_INET, type: SOCK_STREAM, as: client }
  - { call: connect, sock: client, address: "127.0.0.1:\${name.address.port}" }
  - { call: connect, sock: client, address: "127.0.0.1:\${server.port}" }
`);

describe('references', () => {
  it('a port from a stored address or a socket becomes code that asks at run time', () => {
    const c = exportScenario(flow, 'c', 't.yaml');
    expect(c).toContain('inet_addr_of(&addr, AF_INET, "127.0.0.1", port_of(&name_addr))');
    expect(c).toContain('inet_addr_of(&addr, AF_INET, "127.0.0.1", local_port(server))');
    const py = exportScenario(flow, 'python', 't.yaml');
    expect(py).toContain('client.connect(("127.0.0.1", port_of(name_addr)))');
    expect(py).toContain('client.connect(("127.0.0.1", server.getsockname()[1]))');
  });

  it('refuses what a program cannot reproduce, naming the step', () => {
    const host = parseScenarioText(`
name: t
steps:
  - { call: socket, domain: AF_INET, type: SOCK_DGRAM, as: a }
  - { call: sendto, sock: a, data: x, address: "\${a.port}:9" }
`);
    expect(() => exportScenario(host, 'c', 't.yaml')).toThrow(ExportError);
    expect(() => exportScenario(host, 'c', 't.yaml')).toThrow(/step 2: a host written as a reference/);
  });
});

describe('npm run export', () => {
  it('prints the program (0), refuses a bad command line (2) and an unexportable file (3)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'socklab-export-cli-'));
    try {
      let out = '';
      const errs: string[] = [];
      const io = [(t: string) => void (out += t), (t: string) => void errs.push(t)] as const;
      expect(await exportCli(['--lang', 'c', 'resources/scenarios/tcp-server-flow.yaml'], ...io)).toBe(0);
      expect(out).toContain('int main(void)');
      expect(await exportCli(['--lang', 'rust', 'x.yaml'], ...io)).toBe(2);
      expect(await exportCli(['--lang', 'python', 'resources/scenarios/blocking-and-cancel.yaml'], ...io)).toBe(3);
      expect(errs.at(-1)).toMatch(/step 11: Python cannot interrupt/);
      writeFileSync(join(dir, 'bad.yaml'), 'name: x\nsteps: []\n');
      expect(await exportCli(['--lang', 'c', join(dir, 'bad.yaml')], ...io)).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
