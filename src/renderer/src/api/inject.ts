/**
 * How stores reach the lab: the app provides one `LabApi` (the preload bridge or the WebSocket
 * client, chosen in main.ts) and setup stores `inject` it, so tests provide a fake instead.
 */
import { inject, type App, type InjectionKey } from 'vue';
import type { LabApi } from '@shared/api';

export const LAB_API: InjectionKey<LabApi> = Symbol('LabApi');

/** Makes `api` the lab every store of `app` talks to. */
export function provideLabApi(app: App, api: LabApi): void {
  app.provide(LAB_API, api);
}

/** The provided `LabApi`; call inside a setup store or component setup. */
export function useLabApi(): LabApi {
  const api = inject(LAB_API, null);
  if (!api) throw new Error('No LabApi provided: call provideLabApi(app, api) before using the stores');
  return api;
}
