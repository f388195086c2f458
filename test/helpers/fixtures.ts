/**
 * The reference captures kept in the repository (test/fixtures/pcap, see its README): every
 * test and bench finds them here, never outside the repository.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of test/fixtures/pcap in this checkout. */
export const PCAP_FIXTURES = fileURLToPath(new URL('../fixtures/pcap', import.meta.url));

/** The path of one reference capture (or its `.tshark.json`). */
export function fixturePath(name: string): string {
  return join(PCAP_FIXTURES, name);
}

/** Names of every reference capture (pcap and pcapng), sorted. */
export function fixtureCaptures(): string[] {
  return readdirSync(PCAP_FIXTURES)
    .filter((name) => /\.pcap(ng)?$/.test(name))
    .sort();
}

/** The lab's own lossy-link capture (test/fixtures/lab, see its README). */
export const LOSSY_CAPTURE = fileURLToPath(new URL('../fixtures/lab/lossy-link.pcapng', import.meta.url));
/** The lab's capture of a handshake whose SYN-ACK the link dropped, then a lost data segment. */
export const SYN_ACK_DROP_CAPTURE = fileURLToPath(new URL('../fixtures/lab/syn-ack-drop.pcapng', import.meta.url));
