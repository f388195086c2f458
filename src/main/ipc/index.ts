/** Electron's side of the bridge: the trusted-window registry, the invoke handler, event batches. */
export { createAppUrlCheck, createAppWindows, type AppWindows, type SenderEvent, type WindowLike } from './senders';
export { forwardEventsToWindows, registerLabIpc, type IpcMainLike, type LabIpcOptions } from './handlers';
