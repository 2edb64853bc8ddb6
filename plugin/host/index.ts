import { host, storage } from 'uxp';
import { PanelError, type HostAdapter, type HostName } from './host-adapter';
import { createPhotoshopAdapter } from './photoshop';
import { createPremiereAdapter } from './premiere';
import type { UxpStorageApi } from './uxp-api';

export type { HostAdapter, HostName } from './host-adapter';

/**
 * Normalises `uxp.host.name` ("Photoshop", "premierepro", ...) to a supported host.
 * @returns undefined for an app the panel does not support
 */
export function supportedHost(uxpHostName: string): HostName | undefined {
  const name = uxpHostName.toLowerCase().replace(/\s/g, '');
  if (name.startsWith('premierepro')) return 'premierepro';
  if (name.startsWith('photoshop')) return 'photoshop';
  return undefined;
}

/**
 * The adapter for the app the panel runs in. This is the only place that requires a host module: each one
 * exists only inside its own app, so requiring `photoshop` in Premiere (or the reverse) would throw.
 * @example
 * const adapter = createHostAdapter();
 * if (adapter.hostName() === 'premierepro') console.log(await adapter.selectedClip());
 */
export function createHostAdapter(): HostAdapter {
  const uxpHostName = String(host.name);
  switch (supportedHost(uxpHostName)) {
    case 'premierepro':
      return createPremiereAdapter(require('premierepro'));
    case 'photoshop':
      // cc-ext-uxp-types 7.3.1 does not declare storage.localFileSystem; uxp-api.ts describes what UXP has.
      return createPhotoshopAdapter(require('photoshop'), storage as unknown as UxpStorageApi);
    default:
      throw new PanelError(
        'UNSUPPORTED_HOST',
        `Matte Subject runs in Premiere Pro or Photoshop, not in "${uxpHostName}".`,
      );
  }
}
