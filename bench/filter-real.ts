/**
 * Real packets for the filter benchmark: every fixture capture read with SockLab's pcap reader
 * and decoded with the dissector's `fieldValues`, as the packet list would filter them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fieldValues } from '../src/main/lab/dissect';
import type { FieldLookup } from '../src/main/lab/dissect/types';
import { readCapture } from '../src/main/lab/pcap/read';
import type { CapturedPacket } from '../src/main/lab/pcap/types';
import { PCAP_FIXTURES } from '../test/helpers/fixtures';

const FIXTURES = PCAP_FIXTURES;

/** Every packet of every fixture capture, bytes and link type. */
export function fixturePackets(): CapturedPacket[] {
  return readdirSync(FIXTURES)
    .filter((name) => /\.pcap(ng)?$/.test(name))
    .sort()
    .flatMap((name) => readCapture(readFileSync(join(FIXTURES, name))).packets);
}

/** A prebuilt lookup per packet (the dissector's field map behind a function). */
export function lookupsOf(packets: readonly CapturedPacket[]): FieldLookup[] {
  return packets.map((packet, i) => {
    const values = fieldValues(packet.data, packet.linkType, { number: i + 1, tsNs: packet.tsNs, origLen: packet.origLen });
    return (name) => values.get(name);
  });
}
