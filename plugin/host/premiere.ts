import type { PremiereAdapter } from './host-adapter';
import type { PremiereApi } from './premiere-api';
import { placeMatte, replaceMatte } from './premiere-place';
import { selectedClip } from './premiere-selection';

/**
 * The Premiere Pro adapter (UXP module `premierepro`, Premiere 25.6+, written to 26.3's rules).
 * @param ppro - the runtime module; `index.ts` is the only place that requires it
 * @example
 * const adapter = createPremiereAdapter(require('premierepro'));
 * const clip = await adapter.selectedClip();
 * if (clip) await adapter.placeMatte(clip, { path: '/renders/speaker-matte.mov', output: 'prores4444' });
 */
export function createPremiereAdapter(ppro: PremiereApi): PremiereAdapter {
  return {
    hostName: () => 'premierepro',
    selectedClip: () => selectedClip(ppro),
    placeMatte: (clip, matte) => placeMatte(ppro, clip, matte),
    replaceMatte: (clip, previous, matte) => replaceMatte(ppro, clip, previous, matte),
  };
}
