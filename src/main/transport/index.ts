/** What IPC and web mode share: request validation, event batching, the renderer's CSP. */
export { checkRequest } from '@shared/check-request';
export { createDispatcher, type Dispatch } from './dispatch';
export { createBlockedCalls, type BlockedCalls } from './left-behind';
export { refusal, type Refusal } from '@shared/refusal';
export {
  createEventBatcher,
  forwardLabEvents,
  DEFAULT_MAX_BATCH,
  DEFAULT_MAX_QUEUED,
  type EventBatcher,
  type EventBatcherOptions,
} from './batcher';
export { contentSecurityPolicy, type CspOptions } from './csp';
