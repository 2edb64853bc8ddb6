// Panel entry, bundled by webpack into index.js. UXP shows index.html's body as the panel: with a single panel
// entrypoint no entrypoints.setup() call is needed.
import './zod-jitless';
import { storage } from 'uxp';
import { BRIDGE_URL, HOST_ORIGIN } from './config';
import { createHostAdapter } from './host';
import { startPanel } from './ui/panel';

/** UXP's file picker; @adobe/cc-ext-uxp-types 7.3.1 leaves `storage.localFileSystem` untyped. */
interface FilePicker {
  getFileForOpening(options: { types: string[] }): Promise<{ nativePath: string } | { nativePath: string }[] | null | undefined>;
}

/** UXP has no <input type=file>: its picker instead (needs localFileSystem "request" in the manifest). */
async function pickPng(): Promise<string | undefined> {
  const picker = (storage as unknown as { localFileSystem: FilePicker }).localFileSystem;
  const file = await picker.getFileForOpening({ types: ['png'] });
  return file && !Array.isArray(file) ? file.nativePath : undefined;
}

startPanel(document, {
  connectAdapter: createHostAdapter,
  store: localStorage,
  origin: HOST_ORIGIN,
  bridgeUrl: BRIDGE_URL,
  pickPng,
  pluginVersion: '0.1.0',
});
