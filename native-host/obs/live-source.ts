import { OBSWebSocketError, type OBSRequestTypes } from 'obs-websocket-js';
import { HostError } from '../errors';
import type { ObsConnection } from './obs-connection';

type SceneItemTransform = OBSRequestTypes['SetSceneItemTransform']['sceneItemTransform'];

/** obs-websocket RequestStatus: the named input, scene or scene item does not exist. */
const RESOURCE_NOT_FOUND = 600;

export interface LiveSourceOptions {
  /** the Media Source's name in OBS (created when missing, reused when it is a Media Source) */
  sourceName: string;
  /** the loopback port OBS listens on for the RGBA stream */
  port: number;
  /** a source in the program scene to hide while ours shows (the camera the matte is made from) */
  hideSource?: string;
}

/**
 * Media Source settings for the RGBA/NUT stream (obs-headless.md §4/§5): OBS listens on loopback and the
 * producer connects, so nothing queues before OBS plays; 1 s until it listens again after a producer
 * leaves; never restarted, closed or cleared by OBS on its own.
 *
 * `buffering_mb: 0`: for a network input OBS turns `buffering_mb` (default 2) into the socket's
 * `buffer_size`, and the stream fills that buffer, so it is a fixed delay: 2 MB is over two 640x360 RGBA
 * frames. Measured with test/bench/obs-transport-bench.ts at 640x360: send→visible median 209–284 ms
 * with the default, 100–107 ms with 0.
 */
export function mediaSourceSettings(port: number): Record<string, string | number | boolean> {
  return {
    is_local_file: false,
    input: `tcp://127.0.0.1:${port}?listen=1`,
    input_format: 'nut',
    reconnect_delay_sec: 1,
    restart_on_activate: false,
    close_when_inactive: false,
    clear_on_media_end: false,
    buffering_mb: 0,
  };
}

/**
 * Our Media Source in OBS's current program scene. {@link ensure} is idempotent and runs after every
 * (re)connection: OBS restarted with an empty scene collection gets the source again; a source that is
 * already right is left alone (changing its settings would make OBS drop the stream for a second).
 */
export class LiveSource {
  constructor(
    private readonly obs: ObsConnection,
    private readonly options: LiveSourceOptions,
  ) {}

  /**
   * Creates or updates the source, shows it in the program scene and hides `hideSource` there.
   * @throws HostError INVALID_ARGUMENT when another kind of source already has our name
   */
  async ensure(): Promise<void> {
    const { sourceName, port } = this.options;
    const { currentProgramSceneName: sceneName } = await this.obs.call('GetCurrentProgramScene');
    const wanted = mediaSourceSettings(port);
    const existing = await this.inputSettings(sourceName);
    if (!existing) {
      const { sceneItemId } = await this.obs.call('CreateInput', { sceneName, inputName: sourceName, inputKind: 'ffmpeg_source', inputSettings: wanted, sceneItemEnabled: true });
      await this.takePlaceOfHidden(sceneName, sceneItemId);
    } else {
      if (existing.inputKind !== 'ffmpeg_source') {
        throw new HostError('INVALID_ARGUMENT', `OBS already has a source named "${sourceName}" that is not a Media Source (${existing.inputKind}): choose another name.`);
      }
      if (Object.entries(wanted).some(([key, value]) => existing.inputSettings[key] !== value)) {
        await this.obs.call('SetInputSettings', { inputName: sourceName, inputSettings: wanted, overlay: true });
      }
      const itemId = await this.sceneItemId(sceneName, sourceName);
      if (itemId === undefined) {
        const { sceneItemId } = await this.obs.call('CreateSceneItem', { sceneName, sourceName, sceneItemEnabled: true });
        await this.takePlaceOfHidden(sceneName, sceneItemId);
      } else {
        await this.obs.call('SetSceneItemEnabled', { sceneName, sceneItemId: itemId, sceneItemEnabled: true });
      }
    }
    await this.setHiddenEnabled(sceneName, false);
  }

  /** Shows the hidden source again in the program scene (when it is there). */
  async showHidden(): Promise<void> {
    const { currentProgramSceneName: sceneName } = await this.obs.call('GetCurrentProgramScene');
    await this.setHiddenEnabled(sceneName, true);
  }

  /** Removes our Media Source from OBS (every scene). */
  async remove(): Promise<void> {
    await this.obs.call('RemoveInput', { inputName: this.options.sourceName }).catch(ignoreNotFound);
  }

  /** A new scene item of ours goes where the hidden source is (same position, scale, crop) so it replaces it in place. */
  private async takePlaceOfHidden(sceneName: string, sceneItemId: number): Promise<void> {
    if (!this.options.hideSource) return;
    const hidden = await this.sceneItemId(sceneName, this.options.hideSource);
    if (hidden === undefined) return;
    const { sceneItemTransform } = await this.obs.call('GetSceneItemTransform', { sceneName, sceneItemId: hidden });
    await this.obs.call('SetSceneItemTransform', { sceneName, sceneItemId, sceneItemTransform: placementOf(sceneItemTransform) });
  }

  private async setHiddenEnabled(sceneName: string, enabled: boolean): Promise<void> {
    if (!this.options.hideSource) return;
    // After OBS restarts with an empty collection the camera is gone: nothing to hide, not an error.
    const itemId = await this.sceneItemId(sceneName, this.options.hideSource);
    if (itemId !== undefined) await this.obs.call('SetSceneItemEnabled', { sceneName, sceneItemId: itemId, sceneItemEnabled: enabled });
  }

  private async inputSettings(inputName: string): Promise<{ inputKind: string; inputSettings: Record<string, unknown> } | undefined> {
    try {
      const r = await this.obs.call('GetInputSettings', { inputName });
      return { inputKind: r.inputKind, inputSettings: r.inputSettings as Record<string, unknown> };
    } catch (e) {
      return ignoreNotFound(e);
    }
  }

  private async sceneItemId(sceneName: string, sourceName: string): Promise<number | undefined> {
    try {
      return (await this.obs.call('GetSceneItemId', { sceneName, sourceName })).sceneItemId;
    } catch (e) {
      return ignoreNotFound(e);
    }
  }
}

/**
 * The settable part of a scene item transform: sourceWidth/Height and width/height are results, and OBS
 * refuses bounds under 1 px, which an item without bounds reports as 0.
 */
function placementOf(transform: SceneItemTransform): SceneItemTransform {
  const keys = ['positionX', 'positionY', 'rotation', 'scaleX', 'scaleY', 'alignment', 'cropLeft', 'cropRight', 'cropTop', 'cropBottom'];
  if (transform.boundsType !== 'OBS_BOUNDS_NONE') keys.push('boundsType', 'boundsAlignment', 'boundsWidth', 'boundsHeight');
  return Object.fromEntries(keys.filter((k) => k in transform).map((k) => [k, transform[k]]));
}

function ignoreNotFound(e: unknown): undefined {
  if (e instanceof OBSWebSocketError && e.code === RESOURCE_NOT_FOUND) return undefined;
  throw e;
}
