/**
 * The lab network's client: the net.* routes and events over a `LabApi`, typed once, so the
 * network store reads as what it does and tests hand it a fake lab.
 */
import type { EventPayload, LabApi, RouteInput, RouteOutput } from '@shared/api';

/** What `createNetClient` offers: one method per net.* route, one per net.* event. */
export interface NetClient {
  info(): Promise<RouteOutput<'net.info'>>;
  create(input: RouteInput<'net.create'>): Promise<RouteOutput<'net.create'>>;
  destroy(): Promise<RouteOutput<'net.destroy'>>;
  setLink(input: RouteInput<'net.link.set'>): Promise<RouteOutput<'net.link.set'>>;
  setStep(on: boolean): Promise<RouteOutput<'net.step.mode'>>;
  held(): Promise<RouteOutput<'net.step.list'>>;
  act(input: RouteInput<'net.step.act'>): Promise<RouteOutput<'net.step.act'>>;
  onChanged(handler: (info: EventPayload<'net.changed'>) => void): () => void;
  onHeld(handler: (frame: EventPayload<'net.frame.held'>) => void): () => void;
  onReleased(handler: (release: EventPayload<'net.frame.released'>) => void): () => void;
}

/** The net.* routes and events of `api`. */
export function createNetClient(api: LabApi): NetClient {
  return {
    info: () => api.invoke('net.info', {}),
    create: (input) => api.invoke('net.create', input),
    destroy: () => api.invoke('net.destroy', {}),
    setLink: (input) => api.invoke('net.link.set', input),
    setStep: (on) => api.invoke('net.step.mode', { on }),
    held: () => api.invoke('net.step.list', {}),
    act: (input) => api.invoke('net.step.act', input),
    onChanged: (handler) => api.on('net.changed', handler),
    onHeld: (handler) => api.on('net.frame.held', handler),
    onReleased: (handler) => api.on('net.frame.released', handler),
  };
}
