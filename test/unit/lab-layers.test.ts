/**
 * The lab's areas depend one way: sockets → raw → libc. Nothing in libc imports a lab area, and
 * nothing in raw imports the socket area (the raw ↔ sockets cycle that once ran through the
 * wire-bytes helper stays gone).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const LAB = join(__dirname, '..', '..', 'src', 'main', 'lab');

function importsOf(area: string): Array<{ file: string; from: string }> {
  return readdirSync(join(LAB, area))
    .filter((name) => name.endsWith('.ts'))
    .flatMap((name) => {
      const text = readFileSync(join(LAB, area, name), 'utf8');
      return [...text.matchAll(/from '([^']+)'/g)].map((match) => ({ file: `${area}/${name}`, from: match[1] }));
    });
}

describe('lab layering', () => {
  it('raw never imports the socket area', () => {
    expect(importsOf('raw').filter((edge) => edge.from.includes('/sockets'))).toEqual([]);
  });

  it('libc imports no lab area', () => {
    expect(importsOf('libc').filter((edge) => /\.\.\/(sockets|raw|capture)/.test(edge.from))).toEqual([]);
  });
});
