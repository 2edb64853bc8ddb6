/**
 * Live background removal, independent of where the pictures go: what `matanyone live` and the OBS output
 * build on. A {@link LiveSession} reads a camera or a looped file ({@link LiveInput}), mattes the newest
 * frame, brings the alpha to the frame's size along its edges ({@link edgeAwareUpsample}) and hands RGBA to
 * a {@link LiveOutput}.
 */
export { LiveSession, describeLiveStatus } from './live-session';
export type { LiveSessionOptions, LiveSessionStatus, LiveSessionEnd } from './live-session';
export type { LiveStats } from './live-stats';
export { LiveInput, describeInputStatus } from './live-input';
export type { CapturedFrame, LiveInputOptions, LiveInputStats, LiveInputStatus } from './live-input';
export { describeSource, inputArgs } from './live-input-args';
export type { FrameSize, LiveInputSource } from './live-input-args';
export { LIVE_AUTO_MASK, prepareLiveMask } from './live-mask';
export type { LiveMask, MaskMorphology } from './live-mask';
export { edgeAwareUpsample, EDGE_UPSAMPLE_DEFAULTS } from './edge-upsample';
export type { EdgeUpsampleOptions, RgbPicture } from './edge-upsample';
export type { LiveFrame, LiveOutput, LiveOutputState } from './live-output';
