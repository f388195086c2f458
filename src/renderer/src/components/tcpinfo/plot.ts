/**
 * The geometry of the TCP_INFO time plot: each series as a step line (a sample holds until the
 * next one, as the kernel's value does), time on x from the first sample, y from 0 to the
 * series' pane maximum. Pure, so the panel's tests can check the numbers.
 */
import type { TcpInfoSample } from '@shared/tcpinfo';
import { SSTHRESH_UNSET } from './tcpInfoFormat';

export type SeriesName = 'cwnd' | 'ssthresh' | 'inFlight' | 'rtt';

/** Each series' value of a sample (null: not shown there); RTT in milliseconds. */
export const SERIES: Record<SeriesName, (s: TcpInfoSample) => number | null> = {
  cwnd: (s) => s.snd_cwnd,
  // Until the first loss ssthresh is "infinite" (0x7fffffff): nothing to draw.
  ssthresh: (s) => (s.snd_ssthresh !== null && s.snd_ssthresh < SSTHRESH_UNSET ? s.snd_ssthresh : null),
  inFlight: (s) => s.in_flight,
  rtt: (s) => (s.rtt === null ? null : s.rtt / 1000),
};

export interface Pane {
  /** Top and height of the pane in the SVG's units. */
  top: number;
  height: number;
  /** The largest value on its y axis. */
  max: number;
  series: SeriesName[];
}

export interface PlotGeometry {
  /** Seconds from the first sample to the last. */
  spanS: number;
  /** SVG path `d` of each series (empty when it has no value). */
  paths: Record<SeriesName, string>;
  panes: Pane[];
}

/** Rounds a maximum up to 1, 2 or 5 × 10^n, so axis labels stay readable. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((m) => m * power >= value) ?? 10) * power;
}

/** Lays out the samples in a `width` × 2 panes plot starting at `left`. */
export function plotGeometry(
  samples: readonly TcpInfoSample[],
  left: number,
  width: number,
  panes: Array<Omit<Pane, 'max'>>,
): PlotGeometry {
  const t0 = samples[0]?.atUs ?? 0;
  const spanUs = Math.max(1, (samples[samples.length - 1]?.atUs ?? 0) - t0);
  const x = (atUs: number) => left + ((atUs - t0) / spanUs) * width;
  const paths = { cwnd: '', ssthresh: '', inFlight: '', rtt: '' } as Record<SeriesName, string>;
  const laid: Pane[] = panes.map((pane) => {
    const values = pane.series.flatMap((name) => samples.map(SERIES[name]).filter((v): v is number => v !== null));
    const max = niceMax(Math.max(0, ...values));
    for (const name of pane.series) {
      const y = (v: number) => pane.top + pane.height - (v / max) * pane.height;
      let d = '';
      let previous: number | null = null;
      for (const sample of samples) {
        const value = SERIES[name](sample);
        const px = x(sample.atUs).toFixed(1);
        if (value === null) previous = null;
        else if (previous === null) d += `M${px},${y(value).toFixed(1)}`;
        else d += `H${px}V${y(value).toFixed(1)}`;
        previous = value;
      }
      if (d && samples.length > 0) d += `H${(left + width).toFixed(1)}`;
      paths[name] = d;
    }
    return { ...pane, max };
  });
  return { spanS: spanUs / 1e6, paths, panes: laid };
}
