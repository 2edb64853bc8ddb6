export * from './errors';
export * from './media';
export * from './jobs';
export * from './still';
export * from './live';
export * from './protocol';
export { BridgeClient } from './client';
export type { BridgeClientOptions, WebSocketLike } from './client';
