// Imported first by index.ts: zod reads `jitless` when a schema is created, and the bridge's schemas are created
// as their modules load. UXP forbids code from strings unless the manifest allows it, so zod must never try
// its `new Function` parsers there (its probe would fail and fall back, but the Chromium tests must take the
// same path as UXP).
import { z } from 'zod';

z.config({ jitless: true });
