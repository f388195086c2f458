import { describe, expect, it } from 'vitest';
import { ERRNO } from '@shared/errno';
import { socketInfo } from './fakeLab';
import { formatAddr, formatArgs, formatBytes, formatDuration, labDetail } from '@renderer/lib/format';
import { fittingCalls, lanesFor } from '@renderer/lib/calls';
import { buildCallRequest, defaultCallArgs } from '@renderer/lib/callInput';

describe('formatters', () => {
  it('writes addresses as C programmers do', () => {
    expect(formatAddr({ family: 'AF_INET', address: '127.0.0.1', port: 8080 })).toBe('127.0.0.1:8080');
    expect(formatAddr({ family: 'AF_INET6', address: '::1', port: 80 })).toBe('[::1]:80');
    expect(formatAddr({ family: 'AF_UNIX', path: '/tmp/s' })).toBe('/tmp/s');
    expect(formatAddr(null)).toBe('—');
  });
  it('summarises call arguments, payloads included', () => {
    expect(formatArgs({ fd: 3, data: { length: 5, previewHex: '68', previewText: 'hello' }, flags: [] })).toBe(
      'fd=3, data=<5 B "hello">, flags=0',
    );
  });
  it('picks readable units', () => {
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatDuration(850)).toBe('850 µs');
    expect(formatDuration(null)).toBe('…');
  });
  it('keeps only the call-specific part of a lab error message', () => {
    const message = `bind: ${ERRNO.EADDRINUSE.text} 127.0.0.1:8080 is taken.`;
    expect(labDetail('EADDRINUSE', message)).toBe('bind: 127.0.0.1:8080 is taken.');
    expect(labDetail('EINVAL', `listen: ${ERRNO.EINVAL.text}`)).toBeNull();
    expect(labDetail('EINTR', null)).toBeNull();
  });
});

describe('call flows', () => {
  it('puts the client lane first for a connected client and the server lane for accepted sockets', () => {
    expect(lanesFor(socketInfo({ state: 'connected' }))[0]!.id).toBe('client');
    expect(lanesFor(socketInfo({ state: 'connected', acceptedFrom: 3 }))[0]!.id).toBe('server');
    expect(lanesFor(socketInfo({ type: 'SOCK_DGRAM' }))[0]!.id).toBe('datagram');
  });
  it('highlights the calls that fit the state', () => {
    expect([...fittingCalls(socketInfo({ state: 'listening' }))].sort()).toEqual(['accept', 'close']);
    expect(fittingCalls(socketInfo({ state: 'connected', shutWr: true })).has('send')).toBe(false);
    expect(fittingCalls(socketInfo({ state: 'listening', blockedIn: 'accept' })).size).toBe(0);
  });
  it('builds C arguments from the form, in the socket domain', () => {
    const args = { ...defaultCallArgs(), address: '::1', port: 7 };
    expect(buildCallRequest('connect', { fd: 4, domain: 'AF_INET6' }, args, null)).toEqual({
      route: 'socket.connect',
      input: { fd: 4, address: { family: 'AF_INET6', address: '::1', port: 7 } },
    });
    expect(buildCallRequest('send', { fd: 4, domain: 'AF_INET' }, args, null)).toBeNull();
    expect(buildCallRequest('setsockopt', { fd: 4, domain: 'AF_INET' }, { ...args, option: 'SO_LINGER', lingerSeconds: 5 }, null)).toEqual({
      route: 'socket.setsockopt',
      input: { fd: 4, option: 'SO_LINGER', value: { onoff: true, linger: 5 } },
    });
    expect(buildCallRequest('fcntl', { fd: 4, domain: 'AF_INET' }, { ...args, nonblock: true }, null)).toEqual({
      route: 'socket.fcntl',
      input: { fd: 4, cmd: 'F_SETFL', nonblock: true },
    });
  });
});
