/** pcap/pcapng reading and pcapng writing. */
export { CaptureFileReader, readCapture, streamCapture } from './read';
export { PcapngWriter, writePcapng, type PcapngOptions, type WritablePacket } from './write';
export type { CapturedPacket, CaptureFileError, CaptureStream, ReadResult } from './types';
