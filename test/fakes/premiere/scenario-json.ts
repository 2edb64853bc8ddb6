/**
 * The scenario a browser page gives the fakes, as JSON (globalThis.__FAKE_PREMIERE_SCENARIO__): one sequence,
 * the clip to matte on V1, optional clips on the tracks above.
 *
 * @example
 * {
 *   "clip": { "name": "interview", "mediaPath": "/footage/interview.mp4", "frameRate": [24000, 1001],
 *             "inFrame": 0, "outFrame": 36, "startFrame": 0 },
 *   "upperClips": [{ "name": "title", "mediaPath": "/gfx/title.mov", "track": 1, "outFrame": 48 }]
 * }
 */
import type { FakeClipSpec, FakeMediaSpec, FakePremiereScenario } from '../premierepro';
import type { RateSpec } from './values';

export interface FakePremiereScenarioJson {
  /** uxp.host.name (default "premierepro") */
  hostName?: string;
  /** videoTracks defaults to 3, as in a new Premiere sequence, or more if the clips need them */
  sequence?: { name?: string; frameRate?: RateSpec; videoTracks?: number };
  /** the clip on V1; selected unless it says `"selected": false` */
  clip: FakeClipSpec;
  /** more clips, each on video track `track` (0 = V1, 1 = V2 ...) */
  upperClips?: Array<FakeClipSpec & { track: number }>;
  bins?: string[];
  matchNames?: string[];
  media?: Record<string, FakeMediaSpec>;
  otherMedia?: FakeMediaSpec | false;
}

/** Turns the JSON form into a scenario for createFakePremiere. */
export function scenarioFromJson(json: FakePremiereScenarioJson): FakePremiereScenario {
  const upper = json.upperClips ?? [];
  const trackCount = Math.max(json.sequence?.videoTracks ?? 3, 1 + Math.max(0, ...upper.map((clip) => clip.track)));
  const tracks: FakeClipSpec[][] = Array.from({ length: trackCount }, () => []);
  tracks[0].push({ ...json.clip, selected: json.clip.selected ?? true });
  for (const { track, ...clip } of upper) tracks[track].push(clip);
  return {
    sequence: { ...json.sequence, videoTracks: trackCount },
    tracks,
    bins: json.bins,
    matchNames: json.matchNames,
    media: json.media,
    otherMedia: json.otherMedia,
  };
}
