/** pcap/pcapng reading and pcapng writing. */
export { readCapture, streamCapture } from './read';
export { writePcapng, type PcapngOptions, type WritablePacket } from './write';
export type { CapturedPacket, CaptureFileError, CaptureStream, ReadResult } from './types';
