/** Numbers of the ping view as iputils prints them: milliseconds with three decimals. */

/** Microseconds as milliseconds, "0.045". */
export function formatMs(us: number): string {
  return (us / 1000).toFixed(3);
}

/** A loss percentage without trailing noise: 0, 25, 33.3. */
export function formatLoss(percent: number): string {
  return String(Number(percent.toFixed(1)));
}
