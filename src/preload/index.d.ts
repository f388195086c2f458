/** What the preload puts on the page: `window.socklab`, the LabApi (absent in web mode). */
import type { LabApi } from '@shared/api';

declare global {
  interface Window {
    readonly socklab?: LabApi;
  }
}

export {};
