// plugin/host/premiere.ts against the fake `premierepro` (test/fakes/premierepro.ts), which enforces Premiere
// 26.3's rules: actions only inside lockedAccess, synchronous transactions, one undo entry per transaction.
// Plugin code is loaded with require(); its types come from the (pure) plugin modules.
import type { MatteFile, SelectedClip } from '../../plugin/host/host-adapter';
import { createFakePremiere, TICKS_PER_SECOND, type FakeClipSpec, type FakePremiereScenario } from '../fakes/premierepro';

const { createPremiereAdapter } = require('../../plugin/host/premiere') as typeof import('../../plugin/host/premiere');
const { PanelError } = require('../../plugin/host/host-adapter') as typeof import('../../plugin/host/host-adapter');

const NTSC = [24000, 1001] as [number, number];
const TICKS_23976 = 10594584000n; // 254016000000 · 1001 / 24000
const TICKS_25 = 10160640000n;
const ticks = (value: bigint) => value.toString();

/** The clip to matte: 23.976, source frames 24..71, at sequence frame 100 on V1. */
const speaker = (extra: Partial<FakeClipSpec> = {}): FakeClipSpec => ({
  name: 'speaker',
  mediaPath: '/footage/speaker.mov',
  frameRate: NTSC,
  inFrame: 24,
  outFrame: 72,
  mediaFrames: 200,
  startFrame: 100,
  selected: true,
  ...extra,
});

/** Clips on the tracks above V1, from frame `from` for `frames` frames (sequence at 23.976). */
const busy = (name: string, from: number, frames: number): FakeClipSpec => ({
  name,
  mediaPath: `/gfx/${name}.mov`,
  frameRate: NTSC,
  outFrame: frames,
  startFrame: from,
});

function setup(scenario: Partial<FakePremiereScenario> & { tracks?: FakeClipSpec[][] } = {}) {
  const { ppro, state } = createFakePremiere({ tracks: [[speaker()], [], []], ...scenario });
  return { adapter: createPremiereAdapter(ppro), state };
}

async function selected(adapter: ReturnType<typeof createPremiereAdapter>): Promise<SelectedClip> {
  const clip = await adapter.selectedClip();
  if (!clip) throw new Error('no clip selected');
  return clip;
}

const PRORES: MatteFile = { path: '/renders/speaker-matte.mov', output: 'prores4444' };
const LUMA: MatteFile = { path: '/renders/speaker-luma.mov', output: 'luma' };

describe('selectedClip', () => {
  test('a 23.976 clip with an in point: exact rate, source frames, ticks', async () => {
    const { adapter } = setup();
    await expect(adapter.selectedClip()).resolves.toEqual({
      kind: 'clip',
      name: 'speaker',
      mediaPath: '/footage/speaker.mov',
      frameRate: { num: 24000, den: 1001 },
      dropFrame: false,
      frames: { from: 24, to: 71 },
      sourceRange: { inTicks: ticks(24n * TICKS_23976), outTicks: ticks(72n * TICKS_23976) },
      timeline: { videoTrackIndex: 0, startTicks: ticks(100n * TICKS_23976), endTicks: ticks(148n * TICKS_23976) },
    });
  });

  test('Premiere reporting 23.976 as a rounded float, and an out point a tick short, give the same frames', async () => {
    const outTicks = ticks(72n * TICKS_23976 - 1n);
    const { adapter } = setup({ tracks: [[speaker({ reportedFps: 23.976, ticks: { out: outTicks } })]] });
    const clip = await selected(adapter);
    expect(clip.frameRate).toEqual({ num: 24000, den: 1001 });
    expect(clip.frames).toEqual({ from: 24, to: 71 });
  });

  test('29.97 media counts drop-frame; 25 does not', async () => {
    const ntsc = setup({ tracks: [[speaker({ frameRate: [30000, 1001] })]] });
    expect(await selected(ntsc.adapter)).toMatchObject({ frameRate: { num: 30000, den: 1001 }, dropFrame: true });
    const pal = setup({ tracks: [[speaker({ frameRate: 25, inFrame: 0, outFrame: 50 })]], sequence: { frameRate: 25 } });
    expect(await selected(pal.adapter)).toMatchObject({
      frameRate: { num: 25, den: 1 },
      dropFrame: false,
      frames: { from: 0, to: 49 },
      sourceRange: { inTicks: '0', outTicks: ticks(50n * TICKS_25) },
    });
  });

  test('no project, no sequence, or nothing selected: undefined', async () => {
    await expect(setup({ noProject: true }).adapter.selectedClip()).resolves.toBeUndefined();
    await expect(setup({ noSequence: true }).adapter.selectedClip()).resolves.toBeUndefined();
    await expect(setup({ tracks: [[speaker({ selected: false })]] }).adapter.selectedClip()).resolves.toBeUndefined();
  });

  test.each<[string, Partial<FakeClipSpec>, string]>([
    ['a nested sequence', { nested: true }, '"speaker" is a nested sequence: select a clip of a video file.'],
    ['a multicam clip', { multicam: true }, '"speaker" is a multicam clip: flatten it first.'],
    ['a merged clip', { merged: true }, '"speaker" is a merged clip: select a clip of a video file.'],
    ['an offline clip', { offline: true }, '"speaker" is offline: relink its media first.'],
    ['an adjustment layer', { adjustmentLayer: true }, '"speaker" is an adjustment layer: select a clip of a video file.'],
    ['a speed change', { speed: 0.5 }, '"speaker" plays at 50% speed: set its speed to 100% first.'],
    ['reverse', { reversed: true }, '"speaker" plays in reverse: turn off Reverse Speed first.'],
    ['a negative speed', { speed: -1 }, '"speaker" plays in reverse: turn off Reverse Speed first.'],
    ['time remapping', { timeRemapped: true }, '"speaker" uses time remapping: remove its speed keyframes first.'],
    ['a still', { still: true }, '"speaker" has no frame rate (is it a still?): select a video clip.'],
    ['a clip shorter than a frame', { ticks: { out: ticks(24n * TICKS_23976 + 5n) } }, '"speaker" is shorter than one frame of its media.'],
  ])('refuses %s in one sentence', async (_what, flags, message) => {
    const { adapter } = setup({ tracks: [[speaker(flags)]] });
    const refusal = adapter.selectedClip();
    await expect(refusal).rejects.toBeInstanceOf(PanelError);
    await expect(refusal).rejects.toMatchObject({ code: 'UNSUPPORTED_SELECTION', message });
  });

  test('refuses two selected clips', async () => {
    const other = { ...busy('broll', 0, 48), selected: true };
    const { adapter } = setup({ tracks: [[speaker()], [other]] });
    await expect(adapter.selectedClip()).rejects.toMatchObject({
      code: 'UNSUPPORTED_SELECTION',
      message: '2 clips are selected: select only the clip to matte.',
    });
  });
});

describe('placeMatte', () => {
  test('V2 busy under the clip → the matte goes on V3, at the clip start, in the MatAnyone bin', async () => {
    const { adapter, state } = setup({ tracks: [[speaker()], [busy('title', 90, 20)], []] });
    const clip = await selected(adapter);
    const outcome = await adapter.placeMatte(clip, PRORES);

    expect(outcome.placement).toEqual({
      mediaPath: PRORES.path,
      videoTrackIndex: 2,
      startTicks: clip.timeline.startTicks,
      endTicks: clip.timeline.endTicks, // the default import is as long as the clip
    });
    const [v1, v2, v3] = state.tracks();
    expect(v1.map((item) => item.name)).toEqual(['speaker']);
    expect(v2.map((item) => item.name)).toEqual(['title']); // untouched
    expect(v3).toEqual([
      expect.objectContaining({ name: 'speaker-matte.mov', mediaPath: PRORES.path, startTicks: clip.timeline.startTicks, inTicks: '0' }),
    ]);
    expect(state.bins().bins).toEqual([{ name: 'MatAnyone', bins: [], clips: [PRORES.path] }]);
    expect(state.imports).toEqual([{ paths: [PRORES.path], bin: 'MatAnyone', ok: true }]);
    expect(state.undoStack).toEqual([
      { name: 'Create MatAnyone bin', actions: [expect.objectContaining({ kind: 'createBin', name: 'MatAnyone' })] },
      {
        name: 'Matte Subject',
        actions: [{ kind: 'overwrite', mediaPath: PRORES.path, videoTrackIndex: 2, audioTrackIndex: 0, startTicks: clip.timeline.startTicks }],
      },
    ]);
    expect(outcome.notes).toEqual([]); // default Motion on both: nothing to copy, nothing to say
  });

  test('a clip on V2 outside the clip span leaves V2 free', async () => {
    const { adapter, state } = setup({ tracks: [[speaker()], [busy('title', 0, 100), busy('logo', 148, 10)], []] });
    const outcome = await adapter.placeMatte(await selected(adapter), PRORES);
    expect(outcome.placement.videoTrackIndex).toBe(1);
    expect(state.tracks()[1].map((item) => item.name)).toEqual(['title', 'speaker-matte.mov', 'logo']);
  });

  test('every track above busy → a new top track, by an insert at the track count', async () => {
    const { adapter, state } = setup({ tracks: [[speaker()], [busy('title', 100, 48)], [busy('logo', 120, 4)]] });
    const clip = await selected(adapter);
    const outcome = await adapter.placeMatte(clip, PRORES);
    expect(outcome.placement.videoTrackIndex).toBe(3);
    expect(state.tracks()).toHaveLength(4);
    expect(state.tracks()[3]).toEqual([expect.objectContaining({ mediaPath: PRORES.path, startTicks: clip.timeline.startTicks })]);
    expect(state.undoStack.at(-1)).toEqual({
      name: 'Matte Subject',
      actions: [expect.objectContaining({ kind: 'insert', videoTrackIndex: 3, limitShift: true })],
    });
  });

  test('the clip Motion is copied onto the matte; a keyframed parameter is named for the user', async () => {
    const moved = speaker({ motion: { Scale: 150, Position: { x: 0.3, y: 0.6 }, Rotation: 12 }, keyframed: ['Rotation'] });
    const { adapter, state } = setup({ tracks: [[moved], [], []] });
    const outcome = await adapter.placeMatte(await selected(adapter), PRORES);

    const matte = state.tracks()[1][0];
    expect(matte.motion).toMatchObject({ Position: { x: 0.3, y: 0.6 }, Scale: 150, Rotation: 0, 'Uniform Scale': true });
    expect(state.undoStack.map((entry) => entry.name)).toEqual(['Create MatAnyone bin', 'Matte Subject', 'Matte Subject: Motion']);
    expect(state.undoStack[2].actions).toEqual([
      { kind: 'setValue', item: 'speaker-matte.mov', param: 'Position', value: '{"x":0.3,"y":0.6}' },
      { kind: 'setValue', item: 'speaker-matte.mov', param: 'Scale', value: '150' },
    ]);
    expect(outcome.notes).toEqual([
      'Position and Scale were copied from "speaker" onto the matte (undo step "Matte Subject: Motion").',
      'Rotation is keyframed on "speaker": copy the keyframes onto the matte by hand.',
    ]);
  });

  test('luma: Track Matte Key is appended to the clip in the placement step, and the note says what to set', async () => {
    const { adapter, state } = setup();
    const outcome = await adapter.placeMatte(await selected(adapter), LUMA);
    expect(state.undoStack.at(-1)).toEqual({
      name: 'Matte Subject',
      actions: [
        expect.objectContaining({ kind: 'overwrite', videoTrackIndex: 1 }),
        { kind: 'appendComponent', item: 'speaker', matchName: 'AE.ADBE Track Matte Key' },
      ],
    });
    expect(state.tracks()[0][0].effects).toEqual(['AE.ADBE Opacity', 'AE.ADBE Motion', 'AE.ADBE Track Matte Key']);
    expect(outcome.notes).toEqual([
      'Track Matte Key was added to "speaker": set its Matte to V2 and Composite Using to Matte Luma.',
    ]);
  });

  test('luma where Premiere has no Track Matte Key: nothing appended, the note names the effect to add', async () => {
    const { adapter, state } = setup({ matchNames: ['AE.ADBE Gaussian Blur 2'] });
    const outcome = await adapter.placeMatte(await selected(adapter), LUMA);
    expect(state.undoStack.at(-1)?.actions.map((action) => action.kind)).toEqual(['overwrite']);
    expect(outcome.notes).toEqual([
      'Add Track Matte Key (Effects > Keying) to "speaker" and set its Matte to V2 and Composite Using to Matte Luma.',
    ]);
  });

  test('an existing MatAnyone bin is used, and a file already imported is not imported again', async () => {
    const { adapter, state } = setup({ bins: ['MatAnyone'] });
    const clip = await selected(adapter);
    await adapter.placeMatte(clip, PRORES);
    await adapter.placeMatte(clip, PRORES); // the second goes on V3, from the same project item
    expect(state.imports).toHaveLength(1);
    expect(state.undoStack.map((entry) => entry.name)).toEqual(['Matte Subject', 'Matte Subject']);
    expect(state.bins().bins).toEqual([{ name: 'MatAnyone', bins: [], clips: [PRORES.path] }]);
    expect(state.tracks()[2]).toEqual([expect.objectContaining({ mediaPath: PRORES.path })]);
  });

  test('a failed import is a PanelError that says where the matte is', async () => {
    const { adapter } = setup({ otherMedia: false });
    await expect(adapter.placeMatte(await selected(adapter), PRORES)).rejects.toMatchObject({
      name: 'PanelError',
      code: 'PLACE_FAILED',
      message: `Premiere could not place the matte (Premiere refused to import the file); it is saved at ${PRORES.path}.`,
    });
  });

  test('a clip that moved since the job started is not matched to the wrong clip', async () => {
    const { adapter, state } = setup();
    const clip = await selected(adapter);
    const moved = { ...clip, timeline: { ...clip.timeline, startTicks: ticks(99n * TICKS_23976) } };
    await expect(adapter.placeMatte(moved, PRORES)).rejects.toMatchObject({
      code: 'PLACE_FAILED',
      message: `"speaker" is no longer where it was on V1 of the active sequence; the matte is saved at ${PRORES.path}.`,
    });
    expect(state.undoStack).toEqual([]);
  });
});

describe('replaceMatte', () => {
  const NEXT: MatteFile = { path: '/renders/speaker-matte-v2.mov', output: 'prores4444' };

  test('removes the previous matte and places the new one at its track and time, in one undo entry', async () => {
    const { adapter, state } = setup({ tracks: [[speaker({ motion: { Scale: 80 } })], [], []] });
    const clip = await selected(adapter);
    const first = await adapter.placeMatte(clip, PRORES);
    const undoBefore = state.undoStack.length;

    const outcome = await adapter.replaceMatte(clip, first.placement, NEXT);

    expect(outcome.placement).toEqual({ ...first.placement, mediaPath: NEXT.path });
    expect(state.tracks()[1]).toEqual([
      expect.objectContaining({ mediaPath: NEXT.path, startTicks: clip.timeline.startTicks, motion: expect.objectContaining({ Scale: 80 }) }),
    ]);
    const added = state.undoStack.slice(undoBefore);
    expect(added).toEqual([
      {
        name: 'Matte Subject',
        actions: [
          expect.objectContaining({ kind: 'remove', items: 'speaker-matte.mov', ripple: false }),
          expect.objectContaining({ kind: 'overwrite', mediaPath: NEXT.path, videoTrackIndex: 1 }),
        ],
      },
      { name: 'Matte Subject: Motion', actions: [expect.objectContaining({ kind: 'setValue', param: 'Scale', value: '80' })] },
    ]);
    expect(state.bins().bins[0].clips).toEqual([PRORES.path, NEXT.path]);
  });

  test('undoing the replacement brings the previous matte back', async () => {
    const { adapter, state } = setup();
    const clip = await selected(adapter);
    const first = await adapter.placeMatte(clip, PRORES);
    await adapter.replaceMatte(clip, first.placement, NEXT);
    state.undo();
    expect(state.tracks()[1]).toEqual([expect.objectContaining({ mediaPath: PRORES.path })]);
  });

  test('a previous matte the user removed: the new one is placed anew, with a note', async () => {
    const { adapter, state } = setup();
    const clip = await selected(adapter);
    const first = await adapter.placeMatte(clip, PRORES);
    state.undo(); // the user deleted it
    const outcome = await adapter.replaceMatte(clip, first.placement, NEXT);
    expect(outcome.placement).toMatchObject({ mediaPath: NEXT.path, videoTrackIndex: 1 });
    expect(outcome.notes[0]).toBe('The previous matte was no longer on V2, so this one was placed anew.');
  });

  test('luma: the clip keeps the one Track Matte Key it got with the first matte', async () => {
    const { adapter, state } = setup();
    const clip = await selected(adapter);
    const first = await adapter.placeMatte(clip, LUMA);
    const outcome = await adapter.replaceMatte(clip, first.placement, { path: '/renders/luma-v2.mov', output: 'luma' });
    expect(state.tracks()[0][0].effects.filter((name) => name === 'AE.ADBE Track Matte Key')).toHaveLength(1);
    expect(outcome.notes).toEqual([
      '"speaker" already has Track Matte Key: check that its Matte is V2 and Composite Using is Matte Luma.',
    ]);
  });
});

test('ticks in the fake are Premiere ticks', () => {
  expect(TICKS_PER_SECOND).toBe(254016000000n);
});
