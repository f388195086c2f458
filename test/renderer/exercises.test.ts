import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createApp } from 'vue';
import { createPinia, setActivePinia } from 'pinia';
import ExercisesPanel from '@renderer/components/exercises/ExercisesPanel.vue';
import { RECHECK_DEBOUNCE_MS, RECHECK_MAX_WAIT_MS, useExercisesStore } from '@renderer/stores/exercises';
import { PROGRESS_KEY } from '@renderer/stores/exerciseProgress';
import { useSocketsStore } from '@renderer/stores/sockets';
import { usePacketDetailStore } from '@renderer/stores/packetDetail';
import { IDLE_STATUS } from '@renderer/stores/capture';
import { LAB_API, provideLabApi } from '@renderer/api/inject';
import { i18n } from '@renderer/i18n';
import { exercisesEn } from '@renderer/i18n/exercises.en';
import { exercisesZhCN } from '@renderer/i18n/exercises.zh-CN';
import type { ExerciseCheckOutput } from '@shared/exercise';
import { FakeLab, settle, setupLab, socketInfo } from './fakeLab';
import { TCP_EXERCISE, checkOutput, summaryOf } from './exerciseFixture';

const MARK = { callId: 0, monoUs: 0 };

/**
 * A fake lab serving the fixture exercise; `answer` decides what each check returns, `held` what
 * the lab holds when an exercise begins.
 */
function labWithExercise(
  answer: () => ExerciseCheckOutput | Promise<ExerciseCheckOutput> = () => checkOutput([]),
  held = { openSockets: 0, calls: 0 },
) {
  const lab = setupLab();
  let marks = 0;
  lab.fake.respond('exercise.begin', () => ({ ok: true, value: { mark: marks++ === 0 ? MARK : { callId: 99, monoUs: 5 }, ...held } }));
  lab.fake.respond('exercise.list', () => ({ ok: true, value: [summaryOf(TCP_EXERCISE)] }));
  lab.fake.respond('exercise.get', ({ id }) =>
    id === TCP_EXERCISE.id ? { ok: true, value: TCP_EXERCISE } : { ok: false, errno: 'ENOENT', code: 2, message: `no exercise "${id}"` },
  );
  lab.fake.respond('exercise.check', async () => ({ ok: true, value: await answer() }));
  return lab;
}

function checksAsked(fake: FakeLab): number {
  return fake.invocations.filter((i) => i.name === 'exercise.check').length;
}

function keys(tree: object, prefix = ''): string[] {
  return Object.entries(tree)
    .flatMap(([k, v]) => (typeof v === 'object' && v !== null ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
    .sort();
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  i18n.global.locale.value = 'en';
});

describe('exercise panel', () => {
  it('lists the exercises in the UI language', async () => {
    const { global } = labWithExercise();
    const wrapper = mount(ExercisesPanel, { global });
    await settle();
    const item = wrapper.get('[data-testid="exercise-item-tcp-lifecycle"]');
    expect(item.text()).toContain('The TCP server and client lifecycle');
    expect(item.text()).toContain('not started');
    i18n.global.locale.value = 'zh-CN';
    await wrapper.vm.$nextTick();
    expect(item.text()).toContain('TCP 服务器与客户端的生命周期');
    expect(item.text()).toContain('尚未开始');
    expect(item.text()).not.toContain('lifecycle');
  });

  it('opens an exercise with its steps, roles and checks, checked at once', async () => {
    const { fake, global } = labWithExercise(() => checkOutput([], { server: { socketId: 3, fd: 3, open: true }, conn: null }));
    useSocketsStore().setAll([socketInfo({ fd: 3, state: 'listening', local: { family: 'AF_INET', address: '127.0.0.1', port: 41523 } })]);
    const wrapper = mount(ExercisesPanel, { global });
    await settle();
    await wrapper.get('[data-testid="exercise-item-tcp-lifecycle"]').trigger('click');
    await settle();
    expect(wrapper.find('[data-testid="exercise-view"]').exists()).toBe(true);
    const steps = wrapper.findAll('[data-testid="exercise-step"]');
    expect(steps).toHaveLength(2);
    // The server role is bound to fd 3, so its port fills the placeholder; `code` renders as code.
    expect(steps[1]!.text()).toBe('Connect a client to port 41523.');
    expect(steps[0]!.find('code').text()).toBe('as: server');
    expect(wrapper.get('[data-testid="exercise-role-bound-server"]').text()).toContain('fd 3');
    expect(wrapper.get('[data-testid="exercise-role-bound-conn"]').text()).toContain('no socket fits yet');
    expect(wrapper.get('[data-testid="exercise-check-listening"]').attributes('data-status')).toBe('failed');
    expect(wrapper.get('[data-testid="exercise-check-listening"]').text()).toContain('listen() makes the socket passive.');
    expect(wrapper.get('[data-testid="exercise-progress"]').text()).toBe('0 of 2 checks pass');
    expect(fake.inputsOf('exercise.check')).toEqual([{ id: 'tcp-lifecycle', roles: {}, since: MARK }]);
    expect(wrapper.find('[data-testid="exercise-leftovers"]').exists()).toBe(false);
    // A packet check needs capture: the panel offers to start it on lo with the exercise's filter.
    expect(wrapper.find('[data-testid="exercise-capture-start"]').exists()).toBe(true);
  });

  it('re-checks once, debounced, after a burst of call.logged events, and a passing check turns green', async () => {
    let passed: string[] = [];
    const { fake, global } = labWithExercise(() => checkOutput(passed));
    const wrapper = mount(ExercisesPanel, { global });
    await settle();
    await wrapper.get('[data-testid="exercise-item-tcp-lifecycle"]').trigger('click');
    await settle();
    expect(checksAsked(fake)).toBe(1);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    passed = ['listening'];
    for (let id = 1; id <= 3; id++) {
      fake.emit('call.logged', {
        id,
        fd: 3,
        socketId: 3,
        newSocketId: null,
        call: 'listen',
        args: {},
        startMonoUs: id,
        startWallUs: id,
        endMonoUs: id + 1,
        durationUs: 1,
        ret: 0,
        errno: null,
        message: null,
      });
    }
    await vi.advanceTimersByTimeAsync(RECHECK_DEBOUNCE_MS - 1);
    expect(checksAsked(fake)).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(checksAsked(fake)).toBe(2);
    await flushPromises();
    const check = wrapper.get('[data-testid="exercise-check-listening"]');
    expect(check.attributes('data-status')).toBe('passed');
    expect(check.find('[data-testid="exercise-check-passed"]').exists()).toBe(true);
    expect(wrapper.get('[data-testid="exercise-check-handshake"]').attributes('data-status')).toBe('failed');
    expect(wrapper.get('[data-testid="exercise-progress"]').text()).toBe('1 of 2 checks pass');
  });

  it('never has more than one check in flight: events during a check cause one more after it', async () => {
    const pending: Array<(value: ExerciseCheckOutput) => void> = [];
    const { fake } = labWithExercise(() => new Promise((resolve) => pending.push(resolve)));
    const store = useExercisesStore();
    const opening = store.open('tcp-lifecycle');
    await flushPromises();
    expect(pending).toHaveLength(1);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    fake.emit('socket.changed', socketInfo({ fd: 3 }));
    await vi.advanceTimersByTimeAsync(RECHECK_DEBOUNCE_MS);
    fake.emit('capture.packets', { rows: [] });
    await vi.advanceTimersByTimeAsync(RECHECK_DEBOUNCE_MS);
    expect(checksAsked(fake)).toBe(1);
    pending[0]!(checkOutput([]));
    await opening;
    await vi.advanceTimersByTimeAsync(RECHECK_DEBOUNCE_MS);
    expect(checksAsked(fake)).toBe(2);
    pending[1]!(checkOutput(['listening', 'handshake']));
    await flushPromises();
    expect(store.result?.passed).toBe(2);
    expect(store.progressOf('tcp-lifecycle').completed).toBe(true);
    // Closing stops listening: later events ask for nothing.
    store.close();
    fake.emit('socket.changed', socketInfo({ fd: 3 }));
    await vi.advanceTimersByTimeAsync(RECHECK_DEBOUNCE_MS * 2);
    expect(checksAsked(fake)).toBe(2);
    expect(fake.listenerCount('call.logged')).toBe(0);
  });

  it('re-checks within the max wait even while events never stop (a live packet stream)', async () => {
    const { fake } = labWithExercise();
    await useExercisesStore().open('tcp-lifecycle');
    await flushPromises();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const step = RECHECK_DEBOUNCE_MS / 3;
    for (let elapsed = 0; elapsed < RECHECK_MAX_WAIT_MS - step; elapsed += step) {
      fake.emit('capture.packets', { rows: [] });
      await vi.advanceTimersByTimeAsync(step);
    }
    expect(checksAsked(fake)).toBe(1);
    fake.emit('capture.packets', { rows: [] });
    await vi.advanceTimersByTimeAsync(step);
    expect(checksAsked(fake)).toBe(2);
  });

  it('reveals hints one at a time', async () => {
    const { global } = labWithExercise();
    const wrapper = mount(ExercisesPanel, { global });
    await settle();
    await wrapper.get('[data-testid="exercise-item-tcp-lifecycle"]').trigger('click');
    await settle();
    expect(wrapper.findAll('[data-testid="exercise-hint"]')).toHaveLength(0);
    await wrapper.get('[data-testid="exercise-hint-reveal"]').trigger('click');
    expect(wrapper.findAll('[data-testid="exercise-hint"]').map((h) => h.text())).toEqual(['Use port 0 in bind().']);
    await wrapper.get('[data-testid="exercise-hint-reveal"]').trigger('click');
    expect(wrapper.findAll('[data-testid="exercise-hint"]')).toHaveLength(2);
    expect(wrapper.find('[data-testid="exercise-hint-reveal"]').exists()).toBe(false);
    i18n.global.locale.value = 'zh-CN';
    await wrapper.vm.$nextTick();
    expect(wrapper.findAll('[data-testid="exercise-hint"]')[0]!.text()).toBe('bind() 时使用 0 号端口。');
    expect(wrapper.get('[data-testid="exercise-step"]').text()).toContain('创建服务器套接字');
  });

  it('saves progress between runs and resets it', async () => {
    const first = labWithExercise(() => checkOutput(['listening']));
    const store = useExercisesStore();
    await store.open('tcp-lifecycle');
    store.revealHint();
    const saved = localStorage.getItem(PROGRESS_KEY);
    expect(JSON.parse(saved ?? '{}')).toEqual({ 'tcp-lifecycle': { passed: ['listening'], completed: false, hints: 1 } });
    store.close();
    expect(first.fake.listenerCount('socket.changed')).toBe(0);

    // A new run: a fresh Pinia over the same storage.
    const fake = new FakeLab();
    fake.respond('exercise.list', () => ({ ok: true, value: [summaryOf(TCP_EXERCISE)] }));
    const pinia = createPinia();
    const app = createApp({});
    provideLabApi(app, fake);
    app.use(pinia);
    setActivePinia(pinia);
    const wrapper = mount(ExercisesPanel, { global: { plugins: [pinia, i18n], provide: { [LAB_API as symbol]: fake } } });
    await settle();
    expect(wrapper.get('[data-testid="exercise-item-tcp-lifecycle"]').text()).toContain('1 checks passed so far');
    expect(useExercisesStore().progressOf('tcp-lifecycle').hints).toBe(1);

    vi.stubGlobal('confirm', () => true);
    await wrapper.get('[data-testid="exercise-reset"]').trigger('click');
    expect(localStorage.getItem(PROGRESS_KEY)).toBeNull();
    expect(wrapper.get('[data-testid="exercise-item-tcp-lifecycle"]').text()).toContain('not started');
  });

  it('ignores damaged saved progress instead of failing', () => {
    setupLab();
    localStorage.setItem(PROGRESS_KEY, '{"tcp-lifecycle": {"passed": 3}');
    expect(useExercisesStore().progressOf('tcp-lifecycle')).toEqual({ passed: [], completed: false, hints: 0 });
  });

  it('selects the socket and the packet a check used as evidence', async () => {
    const { fake, global } = labWithExercise(() => checkOutput(['listening']));
    fake.respond('capture.packet', () => ({ ok: false, errno: 'ENOENT', code: 2, message: 'no packet 2 is held' }));
    useSocketsStore().setAll([socketInfo({ fd: 3 }), socketInfo({ fd: 4 })]);
    useSocketsStore().select(4);
    const wrapper = mount(ExercisesPanel, { global });
    await useExercisesStore().open('tcp-lifecycle');
    await settle();
    await wrapper.get('[data-testid="exercise-evidence-call-7"]').trigger('click');
    expect(useSocketsStore().selectedFd).toBe(3);
    await wrapper.get('[data-testid="exercise-evidence-packet-2"]').trigger('click');
    await settle();
    expect(usePacketDetailStore().selectedNo).toBe(2);
    expect(fake.inputsOf('capture.packet')).toEqual([{ no: 2 }]);
  });

  it('starts capture on lo with the exercise filter, and binds a role by hand', async () => {
    // Two sockets of this exercise had fd 3: socket 5 (closed), then socket 7.
    const sockets = [
      { socketId: 5, fd: 3, domain: 'AF_INET' as const, type: 'SOCK_STREAM' as const, open: false },
      { socketId: 7, fd: 3, domain: 'AF_INET' as const, type: 'SOCK_STREAM' as const, open: true },
    ];
    const { fake, global } = labWithExercise(() => checkOutput([], { server: { socketId: 5, fd: 3, open: false }, conn: null }, sockets));
    fake.respond('capture.interfaces', () => ({ ok: true, value: [] }));
    fake.respond('capture.status', () => ({ ok: true, value: IDLE_STATUS }));
    fake.respond('capture.start', ({ iface, filter }) => ({
      ok: true,
      value: { ...IDLE_STATUS, running: true, iface, filter: filter ?? '' },
    }));
    useSocketsStore().setAll([socketInfo({ fd: 3 }), socketInfo({ fd: 5 })]);
    const wrapper = mount(ExercisesPanel, { global });
    await useExercisesStore().open('tcp-lifecycle');
    await settle();
    await wrapper.get('[data-testid="exercise-capture-start"]').trigger('click');
    await settle();
    expect(fake.inputsOf('capture.start')).toEqual([expect.objectContaining({ iface: 'lo', filter: 'tcp' })]);
    expect(wrapper.get('[data-testid="exercise-capture-running"]').text()).toContain('lo');
    expect(wrapper.get('[data-testid="exercise-role-bound-server"]').text()).toBe('→ fd 3 (closed)');
    const options = wrapper.get('[data-testid="exercise-role-choice-server"]').findAll('option');
    expect(options.map((o) => [o.attributes('value'), o.text()])).toEqual([
      ['', 'automatic'],
      ['5', 'fd 3 · SOCK_STREAM (closed)'],
      ['7', 'fd 3 · SOCK_STREAM'],
    ]);
    await wrapper.get('[data-testid="exercise-role-choice-server"]').setValue('7');
    await settle();
    expect(fake.inputsOf('exercise.check').at(-1)).toEqual({ id: 'tcp-lifecycle', roles: { server: 7 }, since: MARK });
  });

  it('offers a clean lab when the exercise begins on a lab with sockets, and resets only when confirmed', async () => {
    const { fake, global } = labWithExercise(() => checkOutput([]), { openSockets: 2, calls: 14 });
    fake.respond('lab.reset', () => ({ ok: true, value: { closed: 2 } }));
    const wrapper = mount(ExercisesPanel, { global });
    await useExercisesStore().open('tcp-lifecycle');
    await settle();
    const banner = wrapper.get('[data-testid="exercise-leftovers"]');
    expect(banner.text()).toContain('2 open sockets and 14 calls');
    const confirm = vi.fn(() => false);
    vi.stubGlobal('confirm', confirm);
    await wrapper.get('[data-testid="exercise-clean-lab"]').trigger('click');
    await settle();
    expect(fake.inputsOf('lab.reset')).toEqual([]);
    confirm.mockReturnValueOnce(true);
    await wrapper.get('[data-testid="exercise-clean-lab"]').trigger('click');
    await settle();
    expect(confirm).toHaveBeenCalledTimes(2);
    expect(fake.inputsOf('lab.reset')).toEqual([{}]);
    // Checked again from a new beginning.
    expect(fake.inputsOf('exercise.check').at(-1)).toEqual({ id: 'tcp-lifecycle', roles: {}, since: { callId: 99, monoUs: 5 } });
    vi.unstubAllGlobals();
  });

  it('shows why an exercise cannot be opened or checked', async () => {
    const { fake, global } = labWithExercise();
    fake.respond('exercise.check', () => ({ ok: false, errno: 'EINVAL', code: 22, message: 'the exercise file is broken' }));
    const wrapper = mount(ExercisesPanel, { global });
    await settle();
    expect(await useExercisesStore().open('nope')).toBe(false);
    await wrapper.vm.$nextTick();
    expect(wrapper.text()).toContain('ENOENT: no exercise "nope"');
    await useExercisesStore().open('tcp-lifecycle');
    await settle();
    expect(wrapper.text()).toContain('EINVAL: the exercise file is broken');
  });

  it('has the same message keys in English and Chinese', () => {
    expect(keys(exercisesZhCN)).toEqual(keys(exercisesEn));
  });
});
