/**
 * The ladder diagram of the conversation a packet belongs to: which packet it is drawn for
 * (by default the packet selected in the Packets view), the picture the lab drew
 * (`capture.ladder`, in the app's theme), and saving it as SVG or PNG.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { LadderPicture } from '@shared/capture';
import { useLabApi } from '@renderer/api/inject';
import { downloadBytes } from '@renderer/components/packets/download';
import { textToBytes } from '@renderer/lib/bytes';
import { isSafeSvg } from '@renderer/components/ladder/svgSafety';
import { svgToPng } from '@renderer/components/ladder/exportImage';
import { useSettingsStore } from './settings';
import { usePacketDetailStore } from './packetDetail';

/** Why no picture shows: the lab's error, a refused (unsafe) SVG, or a failed PNG export. */
export type LadderProblem = { kind: 'lab'; message: string } | { kind: 'unsafe' } | { kind: 'png'; message: string };

export const useLadderStore = defineStore('ladder', () => {
  const api = useLabApi();
  const settings = useSettingsStore();
  const detail = usePacketDetailStore();

  /** Frame the picture is (being) drawn for. */
  const no = ref<number | null>(null);
  /** Redraw when the selected packet changes to one outside the current picture. */
  const followSelected = ref(true);
  const picture = shallowRef<LadderPicture | null>(null);
  const loading = ref(false);
  const problem = shallowRef<LadderProblem | null>(null);
  let ticket = 0;

  /** Asks the lab to draw the conversation of frame `frame` in the current theme. */
  async function draw(frame: number): Promise<void> {
    no.value = frame;
    const asked = ++ticket;
    loading.value = true;
    problem.value = null;
    try {
      const answer = await api.invoke('capture.ladder', { no: frame, theme: settings.theme });
      if (asked !== ticket) return;
      if (!answer.ok) {
        picture.value = null;
        problem.value = { kind: 'lab', message: `${answer.errno}: ${answer.message}` };
      } else if (!isSafeSvg(answer.value.svg)) {
        picture.value = null;
        problem.value = { kind: 'unsafe' };
      } else {
        picture.value = answer.value;
      }
    } catch (cause) {
      if (asked === ticket) problem.value = { kind: 'lab', message: cause instanceof Error ? cause.message : String(cause) };
    } finally {
      if (asked === ticket) loading.value = false;
    }
  }

  /** True when frame `frame` is one of the arrows already drawn. */
  function shows(frame: number): boolean {
    return picture.value?.arrows.some((arrow) => arrow.no === frame) ?? false;
  }

  /** The selected packet changed: redraw only when it is not in the picture already. */
  function selectedChanged(frame: number | null): void {
    if (!followSelected.value || frame === null || shows(frame)) return;
    void draw(frame);
  }

  /** Clicking an arrow opens its packet (the Packets view and the highlights follow). */
  function selectPacket(frame: number): void {
    void detail.select(frame);
  }

  /** Redraws in the other theme after the student switches it. */
  function themeChanged(): void {
    if (no.value !== null) void draw(no.value);
  }

  function fileName(ext: 'svg' | 'png'): string {
    return `socklab-ladder-${no.value ?? 0}.${ext}`;
  }

  function exportSvg(): void {
    const current = picture.value;
    if (!current) return;
    downloadBytes(textToBytes(current.svg), fileName('svg'), 'image/svg+xml');
  }

  async function exportPng(): Promise<void> {
    const current = picture.value;
    if (!current) return;
    try {
      const png = await svgToPng(current.svg, current.width, current.height);
      downloadBytes(png, fileName('png'), 'image/png');
    } catch (cause) {
      problem.value = { kind: 'png', message: cause instanceof Error ? cause.message : String(cause) };
    }
  }

  return { no, followSelected, picture, loading, problem, draw, shows, selectedChanged, selectPacket, themeChanged, exportSvg, exportPng };
});
