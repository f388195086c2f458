/** pcap/pcapng reading and pcapng writing. */
export { readCapture } from './read';
export { writePcapng, type PcapngOptions, type WritablePacket } from './write';
export type { CapturedPacket, CaptureFileError, ReadResult } from './types';
