#!/usr/bin/env node
/**
 * Makes the float32 reference person probabilities for test/unit/person-mask-parity-cpu.test.ts with
 * MediaPipe's own runtime on the CPU: @mediapipe/tasks-vision's ImageSegmenter (its wasm: MediaPipe's TFLite
 * with its custom ops, here XNNPACK, float32) in headless Chromium, on the same .tflite files the host converts
 * (from @mediapipe/selfie_segmentation) and the same *.input.png images as make-reference.js.
 *
 *   node test/data/person-mask/make-reference-cpu.js
 *
 * Input range, made explicit rather than assumed: the Tasks API refuses a float model without
 * NormalizationOptions metadata and these .tflite files have none, so the script adds metadata
 * (tflite-metadata.js; the model bytes are kept as they are) whose normalisation is the one the legacy
 * solution's own graph gives the model: the output_tensor_float_range of its ImageToTensorCalculator, read from
 * the SelfieSegmentationGpu config embedded in the solution's wasm (legacy-graph.js). Both are [0, 1], i.e.
 * mean 0, std 255; the script stops if that ever changes.
 *
 * The images are already at the model's size, so MediaPipe's input transform and mask resize are identities and
 * only the network is compared. For each variant (square 256×256, landscape 256×144) and image it writes
 *   <variant>-<image>.cpu.f32.gz  the confidence mask, float32 little-endian, row-major, gzip
 * and reference-cpu.json (versions, the normalisation and where it came from, the runtime's log lines about its
 * delegate, the images). Running it again reproduces the files bit for bit.
 */
const fs = require('fs');
const http = require('http');
const path = require('path');
const zlib = require('zlib');
const sharp = require('sharp');
const { chromium } = require('playwright-core');
const { subgraphFromWasm, imageToTensorOptions } = require('./legacy-graph');
const { imageModelMetadata, withMetadata } = require('./tflite-metadata');

const ROOT = path.resolve(__dirname, '../../..');
const LEGACY = path.join(ROOT, 'node_modules/@mediapipe/selfie_segmentation');
const TASKS = path.join(ROOT, 'node_modules/@mediapipe/tasks-vision');
const OUT = __dirname;
const VARIANTS = [
  { variant: 'square', file: 'selfie_segmentation.tflite', width: 256, height: 256 },
  { variant: 'landscape', file: 'selfie_segmentation_landscape.tflite', width: 256, height: 144 },
];

/** The input range the legacy solution's graph gives each model, as NormalizationOptions (x - mean) / std. */
function legacyNormalisation() {
  const config = subgraphFromWasm(fs.readFileSync(path.join(LEGACY, 'selfie_segmentation_solution_simd_wasm_bin.wasm')));
  const options = imageToTensorOptions(config);
  return VARIANTS.map((v) => {
    const o = options.find((x) => x.width === v.width && x.height === v.height);
    if (!o || o.min === undefined || o.max === undefined) throw new Error(`no ImageToTensorCalculator float range for ${v.width}×${v.height} in the solution's graph`);
    const std = 255 / (o.max - o.min);
    return { variant: v.variant, range: [o.min, o.max], mean: -o.min * std, std };
  });
}

function serve(models) {
  const page = '<!doctype html><html><body></body></html>';
  const server = http.createServer((req, res) => {
    const name = new URL(req.url, 'http://127.0.0.1').pathname;
    if (name === '/') { res.writeHead(200, { 'content-type': 'text/html' }); return res.end(page); }
    if (name.startsWith('/model/') && models.has(name.slice(7))) { res.writeHead(200, { 'content-type': 'application/octet-stream' }); return res.end(models.get(name.slice(7))); }
    const rel = name.startsWith('/tasks/') ? path.normalize(name.slice(7)) : '';
    const file = path.join(TASKS, rel);
    if (!rel || rel.startsWith('..') || !fs.existsSync(file) || !fs.statSync(file).isFile()) { res.statusCode = 404; return res.end('not found'); }
    const type = /\.m?js$/.test(file) ? 'text/javascript' : file.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream';
    res.writeHead(200, { 'content-type': type });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** In the page: one ImageSegmenter on the CPU for a model, run on each image; the masks' float32 bytes. */
async function segmentAll(page, model, width, height, images) {
  return page.evaluate(async ({ model, width, height, images }) => {
    const { FilesetResolver, ImageSegmenter } = await import('/tasks/vision_bundle.mjs');
    const fileset = await FilesetResolver.forVisionTasks('/tasks/wasm');
    const buffer = new Uint8Array(await (await fetch(`/model/${model}`)).arrayBuffer());
    const segmenter = await ImageSegmenter.createFromOptions(fileset, {
      baseOptions: { modelAssetBuffer: buffer, delegate: 'CPU' },
      runningMode: 'IMAGE',
      outputConfidenceMasks: true,
      outputCategoryMask: false,
    });
    const out = [];
    try {
      for (const b64 of images) {
        const rgb = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const img = new ImageData(width, height);
        for (let i = 0; i < width * height; i++) { img.data[4 * i] = rgb[3 * i]; img.data[4 * i + 1] = rgb[3 * i + 1]; img.data[4 * i + 2] = rgb[3 * i + 2]; img.data[4 * i + 3] = 255; }
        const result = segmenter.segment(img);
        const masks = result.confidenceMasks ?? [];
        if (masks.length !== 1) throw new Error(`${masks.length} confidence masks`);
        const mask = masks[0];
        const probs = mask.getAsFloat32Array();
        const bytes = new Uint8Array(probs.buffer, probs.byteOffset, probs.byteLength);
        let s = '';
        for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        out.push({ w: mask.width, h: mask.height, b64: btoa(s) });
        result.close();
      }
    } finally {
      segmenter.close();
    }
    return out;
  }, { model, width, height, images: images.map((rgb) => Buffer.from(rgb).toString('base64')) });
}

async function main() {
  const legacy = JSON.parse(fs.readFileSync(path.join(OUT, 'reference.json'), 'utf8'));
  const normalisation = legacyNormalisation();
  for (const n of normalisation) if (n.mean !== 0 || n.std !== 255) throw new Error(`${n.variant}: the solution's graph gives the model ${JSON.stringify(n.range)}, not [0, 1]; the host's converter assumes 0…1`);
  const models = new Map(VARIANTS.map((v) => {
    const n = normalisation.find((x) => x.variant === v.variant);
    const tflite = fs.readFileSync(path.join(LEGACY, v.file));
    return [v.file, withMetadata(tflite, imageModelMetadata({ name: v.file, mean: [n.mean], std: [n.std] }))];
  }));
  const server = await serve(models);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    // Tasks always makes a WebGL2 context for its image input, even with the CPU delegate: SwiftShader gives one.
    args: ['--disable-features=LocalNetworkAccessChecks', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const logs = [];
  const record = {
    runtime: '@mediapipe/tasks-vision ImageSegmenter, delegate CPU, runningMode IMAGE, confidence masks',
    tasksVision: require(path.join(TASKS, 'package.json')).version,
    modelPackage: `@mediapipe/selfie_segmentation ${require(path.join(LEGACY, 'package.json')).version}`,
    browser: browser.version(),
    normalisation: { source: "output_tensor_float_range of the ImageToTensorCalculator in the legacy solution's SelfieSegmentationGpu graph (its wasm)", variants: normalisation },
    runtimeLog: [],
    format: 'float32 little-endian, row-major, model height × width, gzip',
    images: [],
  };
  try {
    const page = await browser.newPage();
    page.on('console', (m) => logs.push(m.text()));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    const port = server.address().port;
    await page.goto(`http://127.0.0.1:${port}/`);
    for (const v of VARIANTS) {
      const images = legacy.images.filter((i) => i.variant === v.variant);
      const inputs = [];
      for (const image of images) {
        const { data, info } = await sharp(path.join(OUT, image.input)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
        if (info.width !== v.width || info.height !== v.height) throw new Error(`${image.input} is ${info.width}×${info.height}, not the model's ${v.width}×${v.height}`);
        inputs.push(data);
      }
      const masks = await segmentAll(page, v.file, v.width, v.height, inputs);
      masks.forEach((m, k) => {
        const image = images[k];
        if (m.w !== v.width || m.h !== v.height) throw new Error(`${v.variant}/${image.name}: mask is ${m.w}×${m.h}`);
        const bytes = Buffer.from(m.b64, 'base64');
        if (bytes.length !== v.width * v.height * 4) throw new Error(`${v.variant}/${image.name}: ${bytes.length} bytes`);
        const probs = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
        const probabilities = `${v.variant}-${image.name}.cpu.f32.gz`;
        fs.writeFileSync(path.join(OUT, probabilities), zlib.gzipSync(bytes, { level: 9 }));
        let min = Infinity, max = -Infinity;
        for (const p of probs) { min = Math.min(min, p); max = Math.max(max, p); }
        record.images.push({ variant: v.variant, name: image.name, input: image.input, probabilities, width: v.width, height: v.height, range: [min, max] });
        console.log(`${v.variant}-${image.name}: probabilities ${min.toExponential(3)} … ${max.toFixed(6)}`);
      });
    }
  } finally {
    await browser.close();
    server.close();
  }
  // What the runtime says about how it ran the model (its delegate), for the record.
  record.runtimeLog = [...new Set(logs.filter((l) => /delegate|XNNPACK|TensorFlow Lite|activation/i.test(l)).map((l) => l.replace(/^[IWE]\d{4} [\d:.]+ \d+ /, '')))];
  const errors = logs.filter((l) => /pageerror|^E\d{4}/.test(l));
  if (errors.length) throw new Error(errors.join('\n'));
  fs.writeFileSync(path.join(OUT, 'reference-cpu.json'), JSON.stringify(record, null, 2) + '\n');
  console.log(record.runtimeLog.join('\n'));
}

main().catch((e) => { console.error(e); process.exit(1); });
