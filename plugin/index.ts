// Panel entry, bundled by webpack into index.js. UXP shows index.html's body as the panel: with a single panel
// entrypoint no entrypoints.setup() call is needed.
import { createHostAdapter } from './host';
import { startPanel } from './ui/panel';

startPanel(document, { connectAdapter: createHostAdapter });
