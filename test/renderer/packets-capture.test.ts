import { afterEach, describe, expect, it, vi } from 'vitest';
import { mount } from '@vue/test-utils';
import PacketsView from '@renderer/views/PacketsView.vue';
import { useSocketsStore } from '@renderer/stores/sockets';
import { en } from '@renderer/i18n/en';
import { zhCN } from '@renderer/i18n/zh-CN';
import { packetsEn } from '@renderer/i18n/packets.en';
import { packetsZhCN } from '@renderer/i18n/packets.zh-CN';
import { i18n } from '@renderer/i18n';
import { MAX_FILE_CHUNK_BYTES } from '@shared/capture';
import { settle, setupLab, socketInfo } from './fakeLab';
import { captureStatus, holdPackets, packetRow } from './packetsFake';

afterEach(() => vi.restoreAllMocks());

describe('capture toolbar', () => {
  it('lists loopback first with its addresses and starts with the typed settings', async () => {
    const { fake, global } = setupLab();
    holdPackets(fake, () => 0);
    fake.respond('capture.start', () => ({ ok: true, value: captureStatus({ running: true, iface: 'lo', source: 'lo' }) }));
    const wrapper = mount(PacketsView, { global });
    await settle();
    const options = wrapper.findAll('[data-testid="capture-iface"] option').map((o) => o.text());
    expect(options).toEqual(['lo — 127.0.0.1, ::1', 'eth0 — 10.0.0.2']);
    await wrapper.get('[data-testid="capture-filter"]').setValue('tcp port 8080');
    await wrapper.get('[data-testid="capture-start"]').trigger('click');
    await settle();
    expect(fake.inputsOf('capture.start')).toEqual([{ iface: 'lo', filter: 'tcp port 8080', bufferMB: 64 }]);
    expect(wrapper.find('[data-testid="capture-stop"]').exists()).toBe(true);
    expect(wrapper.get('[data-testid="capture-state"]').text()).toBe('Capturing on lo');
    fake.emit('capture.status', captureStatus({ running: true, iface: 'lo', packets: 12, bytes: 2048, rate: 3, held: 10, evicted: 2 }));
    await settle();
    const bar = wrapper.get('[data-testid="capture-status"]').text();
    expect(bar).toContain('Captured: 12');
    expect(bar).toContain('Bytes: 2.0 KiB');
    expect(bar).toContain('Rate: 3 pkt/s');
    expect(bar).toContain('Held: 10');
    expect(bar).toContain('Evicted: 2');
    wrapper.unmount();
  });

  it("shows libpcap's message for a bad capture filter inline", async () => {
    const { fake, global } = setupLab();
    holdPackets(fake, () => 0);
    const message = 'The capture filter "tcp prot 80" is not valid BPF: can\'t parse filter expression: syntax error';
    fake.respond('capture.start', () => ({ ok: false, errno: 'EINVAL', code: 22, message }));
    const wrapper = mount(PacketsView, { global });
    await settle();
    await wrapper.get('[data-testid="capture-filter"]').setValue('tcp prot 80');
    await wrapper.get('[data-testid="capture-start"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="capture-error"]').text()).toBe(message);
    expect(wrapper.get('[data-testid="capture-filter"]').attributes('aria-invalid')).toBe('true');
    expect(wrapper.find('[data-testid="capture-start"]').exists()).toBe(true);
    wrapper.unmount();
  });

  it('shows the exact permission command from the capture status', async () => {
    const { fake, global } = setupLab();
    holdPackets(fake, () => 0);
    const hint = 'sudo setcap cap_net_raw,cap_net_admin=eip /opt/socklab/node_modules/electron/dist/electron';
    const wrapper = mount(PacketsView, { global });
    await settle();
    expect(wrapper.find('[data-testid="capture-permission"]').exists()).toBe(false);
    fake.emit(
      'capture.status',
      captureStatus({ error: 'Capturing needs permission to read raw packets (CAP_NET_RAW).', permissionHint: hint }),
    );
    await settle();
    expect(wrapper.get('[data-testid="capture-permission-hint"]').text()).toBe(hint);
    expect(wrapper.get('[data-testid="capture-error"]').text()).toContain('CAP_NET_RAW');
    // The rest keeps working: files can still be opened, filters typed.
    expect(wrapper.get('[data-testid="import-pcapng"]').attributes('disabled')).toBeUndefined();
    expect(wrapper.get('[data-testid="display-filter"]').attributes('disabled')).toBeUndefined();
    wrapper.unmount();
  });
});

/** Catches the download the store offers: the blobs made and the links clicked. */
function catchDownloads() {
  const blobs: Blob[] = [];
  vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
    blobs.push(blob as Blob);
    return 'blob:socklab-test';
  });
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
  const clicked: HTMLAnchorElement[] = [];
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    clicked.push(this);
  });
  return { blobs, clicked };
}

/** Answers capture.save and capture.saveChunk with `pieces`, in order, for every save. */
function savesIn(fake: ReturnType<typeof setupLab>['fake'], pieces: Uint8Array[]): void {
  let next = 0;
  fake.respond('capture.save', () => ({ ok: true, value: { saveId: 7, packets: 2 } }));
  fake.respond('capture.saveChunk', () => {
    // Each save gets the same pieces.
    const data = pieces[next++ % pieces.length]!;
    return { ok: true, value: { data, done: next % pieces.length === 0 } };
  });
}

function chooseFile(wrapper: ReturnType<typeof mount>, file: File) {
  const input = wrapper.get('[data-testid="import-pcapng"]');
  Object.defineProperty(input.element, 'files', { value: [file], configurable: true });
  return input.trigger('change');
}

describe('capture files', () => {
  it('saves every held packet as a pcapng download of the pieces the lab returned, in order', async () => {
    const { fake, global } = setupLab();
    holdPackets(fake, () => 2);
    const head = Uint8Array.from([0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a]);
    const tail = Uint8Array.from([6, 0, 0, 0]);
    savesIn(fake, [head, tail]);
    const { blobs, clicked } = catchDownloads();
    const wrapper = mount(PacketsView, { global });
    await settle();
    await wrapper.get('[data-testid="export-pcapng"]').trigger('click');
    await settle();
    // No filter on: nothing to ask.
    expect(wrapper.find('[data-testid="save-choice"]').exists()).toBe(false);
    expect(fake.inputsOf('capture.save')).toEqual([{ filter: '', socketId: null }]);
    expect(fake.inputsOf('capture.saveChunk')).toEqual([{ saveId: 7 }, { saveId: 7 }]);
    expect(clicked).toHaveLength(1);
    expect(clicked[0]!.download).toMatch(/^socklab-\d{8}-\d{6}\.pcapng$/);
    expect(new Uint8Array(await blobs[0]!.arrayBuffer())).toEqual(Uint8Array.from([...head, ...tail]));
    wrapper.unmount();
  });

  it('asks "displayed or all" when the list is filtered, as Wireshark does', async () => {
    const { fake, global } = setupLab();
    holdPackets(fake, () => 5, { filtered: () => ({ total: 1, rows: [packetRow(3)] }) });
    savesIn(fake, [Uint8Array.from([1, 2, 3, 4])]);
    catchDownloads();
    const wrapper = mount(PacketsView, { global });
    await settle();
    await wrapper.get('[data-testid="display-filter"]').setValue('tcp');
    await wrapper.get('[data-testid="display-filter"]').trigger('keydown', { key: 'Enter' });
    await settle();
    await wrapper.get('[data-testid="export-pcapng"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="save-choice"]').text()).toContain('Displayed packets (1)');
    expect(wrapper.get('[data-testid="save-choice"]').text()).toContain('All packets (5)');
    await wrapper.get('[data-testid="save-displayed"]').trigger('click');
    await settle();
    expect(fake.inputsOf('capture.save')).toEqual([{ filter: 'tcp', socketId: null }]);
    await wrapper.get('[data-testid="export-pcapng"]').trigger('click');
    await wrapper.get('[data-testid="save-all"]').trigger('click');
    await settle();
    expect(fake.inputsOf('capture.save')[1]).toEqual({ filter: '', socketId: null });
    wrapper.unmount();
  });

  it('opens a file in pieces of at most 4 MiB, and reports its problems', async () => {
    const { fake, global } = setupLab();
    let held = 0;
    holdPackets(fake, () => held);
    fake.respond('capture.open', () => ({ ok: true, value: { openId: 3 } }));
    fake.respond('capture.openChunk', (input) => ({ ok: true, value: { packets: 1, bytes: input.offset + input.data.length } }));
    fake.respond('capture.openEnd', () => {
      held = 2;
      return { ok: true, value: { packets: 2, problems: ['truncated packet record (at byte 120)'], cancelled: false } };
    });
    const wrapper = mount(PacketsView, { global });
    await settle();
    const bytes = new Uint8Array(MAX_FILE_CHUNK_BYTES + 10).fill(7);
    bytes.set([0xd4, 0xc3, 0xb2, 0xa1]);
    await chooseFile(wrapper, new File([bytes], 'lab.pcap'));
    for (let i = 0; i < 6; i++) await settle();
    expect(fake.inputsOf('capture.open')).toEqual([{ name: 'lab.pcap' }]);
    const pieces = fake.inputsOf('capture.openChunk');
    expect(pieces.map((p) => [p.openId, p.offset, p.data.length])).toEqual([
      [3, 0, MAX_FILE_CHUNK_BYTES],
      [3, MAX_FILE_CHUNK_BYTES, 10],
    ]);
    expect(pieces[0]!.data.subarray(0, 4)).toEqual(Uint8Array.from([0xd4, 0xc3, 0xb2, 0xa1]));
    expect(fake.inputsOf('capture.openEnd')).toEqual([{ openId: 3, cancel: false }]);
    expect(wrapper.get('[data-testid="file-outcome"]').text()).toContain('Opened lab.pcap: 2 packets');
    expect(wrapper.get('[data-testid="file-outcome"]').text()).toContain('truncated packet record');
    expect(wrapper.find('[data-testid="packet-row-2"]').exists()).toBe(true);
    wrapper.unmount();
  });

  it('shows progress while opening, and Cancel keeps the packets read so far', async () => {
    const { fake, global } = setupLab();
    holdPackets(fake, () => 0);
    fake.respond('capture.open', () => ({ ok: true, value: { openId: 4 } }));
    let release: () => void = () => undefined;
    fake.respond(
      'capture.openChunk',
      (input) =>
        new Promise((resolve) => {
          release = () => resolve({ ok: true, value: { packets: 1000, bytes: input.offset + input.data.length } });
        }),
    );
    fake.respond('capture.openEnd', (input) => ({ ok: true, value: { packets: 1000, problems: [], cancelled: input.cancel === true } }));
    const wrapper = mount(PacketsView, { global });
    await settle();
    await chooseFile(wrapper, new File([new Uint8Array(3 * MAX_FILE_CHUNK_BYTES)], 'big.pcapng'));
    for (let i = 0; i < 4; i++) await settle();
    release();
    for (let i = 0; i < 4; i++) await settle();
    expect(wrapper.get('[data-testid="file-opening"]').text()).toContain('Opening big.pcapng: 33% · 1,000 packets');
    expect(wrapper.get('[data-testid="import-pcapng"]').attributes('disabled')).toBeDefined();
    await wrapper.get('[data-testid="file-opening-cancel"]').trigger('click');
    release();
    for (let i = 0; i < 6; i++) await settle();
    expect(fake.inputsOf('capture.openChunk')).toHaveLength(2);
    expect(fake.inputsOf('capture.openEnd')).toEqual([{ openId: 4, cancel: true }]);
    expect(wrapper.find('[data-testid="file-opening"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="file-outcome"]').text()).toContain('Opened big.pcapng in part (cancelled): 1000 packets');
    wrapper.unmount();
  });
});

describe('display filter', () => {
  it('checks as it is typed and shows the error with a marker at its position', async () => {
    const { fake, global } = setupLab();
    holdPackets(fake, () => 5, { filtered: () => ({ total: 1, rows: [packetRow(3, { mark: 'syn' })] }) });
    fake.respond('capture.checkFilter', (input) =>
      input.filter.includes('=!')
        ? { ok: true, value: { valid: false, error: 'unexpected "!"', position: 9 } }
        : { ok: true, value: { valid: true, error: null, position: null } },
    );
    const wrapper = mount(PacketsView, { global });
    await settle();
    const input = wrapper.get('[data-testid="display-filter"]');
    await input.setValue('tcp.port =! 80');
    await settle();
    expect(input.classes()).toContain('invalid');
    const error = wrapper.get('[data-testid="display-filter-error"]');
    expect(error.text()).toContain('Error at character 10: unexpected "!"');
    expect(error.get('.caret').element.textContent).toBe(`${' '.repeat(9)}^`);
    // An invalid filter is not applied.
    const before = fake.inputsOf('capture.rows').length;
    await input.trigger('keydown', { key: 'Enter' });
    await settle();
    expect(fake.inputsOf('capture.rows').length).toBe(before);

    await input.setValue('tcp.port == 80');
    await settle();
    expect(input.classes()).toContain('valid');
    expect(wrapper.find('[data-testid="display-filter-error"]').exists()).toBe(false);
    await input.trigger('keydown', { key: 'Enter' });
    await settle();
    expect(fake.inputsOf('capture.rows').at(-1)).toMatchObject({ filter: 'tcp.port == 80', socketId: null });
    expect(wrapper.findAll('[data-testid^="packet-row-"]').map((r) => r.attributes('data-testid'))).toEqual(['packet-row-3']);
    expect(wrapper.get('[data-testid="status-displayed"]').text()).toBe('1');
    wrapper.unmount();
  });

  it('filters the list to the socket selected in the workbench', async () => {
    const { fake, global } = setupLab();
    holdPackets(fake, () => 5, {
      filtered: (_offset, _limit, _filter, socketId) => ({
        total: 1,
        rows: [packetRow(2, { fds: socketId === null ? [] : [7], socketIds: socketId === null ? [] : [socketId] })],
      }),
    });
    const wrapper = mount(PacketsView, { global });
    await settle();
    const toggle = wrapper.get('[data-testid="only-socket"]');
    expect(toggle.attributes('disabled')).toBeDefined();
    useSocketsStore().setAll([socketInfo({ fd: 7, socketId: 12, state: 'connected' })]);
    await settle();
    expect(wrapper.text()).toContain('Only socket 7');
    await toggle.setValue(true);
    await settle();
    expect(fake.inputsOf('capture.rows').at(-1)).toMatchObject({ filter: '', socketId: 12 });
    expect(wrapper.get('[data-testid="packet-row-2"]').text()).toContain('7');
    await toggle.setValue(false);
    await settle();
    expect(fake.inputsOf('capture.rows').at(-1)).toMatchObject({ socketId: null });
    expect(wrapper.find('[data-testid="packet-row-5"]').exists()).toBe(true);
    wrapper.unmount();
  });
});

describe('packets i18n', () => {
  function keys(tree: object, prefix = ''): string[] {
    return Object.entries(tree)
      .flatMap(([k, v]) => (typeof v === 'object' && v !== null ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
      .sort();
  }

  it('has the same keys in both languages, none clashing with the workbench, all rendering', () => {
    expect(keys(packetsZhCN)).toEqual(keys(packetsEn));
    expect(Object.keys(en)).not.toContain('packets');
    expect(Object.keys(zhCN)).not.toContain('packets');
    for (const locale of ['en', 'zh-CN'] as const) {
      i18n.global.locale.value = locale;
      for (const key of keys(packetsEn)) {
        const text = i18n.global.t(key, {
          n: 2,
          fd: 3,
          iface: 'lo',
          source: 'x',
          name: 'f',
          offset: 1,
          detail: 'd',
          protocol: 'TCP',
          from: 'a',
          to: 'b',
        });
        expect(text, `${locale} ${key}`).not.toBe(key);
        expect(text, `${locale} ${key}`).not.toMatch(/\{[a-z]+\}/);
      }
    }
    i18n.global.locale.value = 'en';
  });
});
