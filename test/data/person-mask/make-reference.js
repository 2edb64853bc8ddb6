#!/usr/bin/env node
/**
 * Makes the reference person masks for test/unit/person-mask-parity.test.ts with MediaPipe's own runtime:
 * the @mediapipe/selfie_segmentation solution (its wasm + WebGL TFLite GPU inference) in headless Chromium.
 *
 *   node test/data/person-mask/make-reference.js            (the solution's own graph: WebGL inference)
 *   node test/data/person-mask/make-reference.js --inference gpu-fp32   (experiment: the graph inlined, the GPU
 *       delegate asked for allow_precision_loss: false; gave masks byte-identical to the default's)
 *   node test/data/person-mask/make-reference.js --inference cpu        (experiment, see inlinedGraph: empty masks)
 * The stored references are the default run's; running it again reproduces them byte for byte.
 * The float32 reference from MediaPipe's CPU runtime (MediaPipe Tasks) is make-reference-cpu.js's.
 *
 * For each variant (square 256×256 = modelSelection 0, landscape 256×144 = modelSelection 1) and each input
 * image (already at the model's size, so MediaPipe's own input resize and its mask resize are identities and
 * only the network is compared), it writes
 *   <variant>-<image>.input.png  the RGB input at model size
 *   <variant>-<image>.mask.png   MediaPipe's segmentationMask, read back with a 2D canvas (8-bit)
 * and reference.json (which channel carries the mask, the browser, the package version).
 * Inputs: parity-a fixture frames (two people in a street) and two synthetic images.
 */
const fs = require('fs');
const http = require('http');
const path = require('path');
const sharp = require('sharp');
const { chromium } = require('playwright-core');

const ROOT = path.resolve(__dirname, '../../..');
const PKG = path.join(ROOT, 'node_modules/@mediapipe/selfie_segmentation');
const FIXTURE = path.resolve(ROOT, '../shared/fixtures/parity-a');
const OUT = __dirname;
const VARIANTS = [
  { variant: 'square', modelSelection: 0, width: 256, height: 256 },
  { variant: 'landscape', modelSelection: 1, width: 256, height: 144 },
];

/** Synthetic image: a skin-toned head and a dark torso on a vertical gradient, deterministic. */
function synthetic(width, height, seed) {
  const rgb = Buffer.alloc(width * height * 3);
  const cx = width * (0.45 + 0.1 * seed), headY = height * 0.3, headR = Math.min(width, height) * 0.13;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      let r = 40 + (150 * y) / height, g = 90 + (80 * x) / width, b = 160 - (60 * y) / height;
      const inHead = (x - cx) ** 2 + (y - headY) ** 2 < headR ** 2;
      const inBody = ((x - cx) / (headR * 2.2)) ** 2 + ((y - height * 0.85) / (height * 0.4)) ** 2 < 1;
      if (inHead) [r, g, b] = [224, 172, 140];
      else if (inBody) [r, g, b] = seed ? [30, 30, 120] : [150, 40, 40];
      rgb[i] = Math.round(r); rgb[i + 1] = Math.round(g); rgb[i + 2] = Math.round(b);
    }
  return rgb;
}

async function inputs(width, height) {
  const frame = async (name, extract) => {
    let img = sharp(path.join(FIXTURE, name)).removeAlpha();
    if (extract) img = img.extract(extract);
    return img.resize(width, height, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer();
  };
  return [
    ['frame0000', await frame('frame_0000.png')],
    ['frame0005', await frame('frame_0005.png')],
    ['frame0011-crop', await frame('frame_0011.png', { left: 93, top: 0, width: 240, height: 240 })],
    ['synthetic0', synthetic(width, height, 0)],
    ['synthetic1', synthetic(width, height, 1)],
  ];
}


/* ---- MediaPipe graph for CPU inference --------------------------------------------------------------------
 * The solution's top-level graph (selfie_segmentation.binarypb) calls the SelfieSegmentationGpu subgraph, whose
 * InferenceCalculator runs TFLite on the GPU (WebGL, half precision). The same wasm also links MediaPipe's CPU
 * InferenceCalculator, so with `--inference cpu` this script serves a graph with the subgraph's nodes inlined
 * (taken from the subgraph config embedded in the wasm) and the InferenceCalculator told to use the TFLite CPU
 * delegate (InferenceCalculatorOptions.delegate.tflite), and the custom-op resolver its CPU ops.
 * EXPERIMENTAL, NOT USED FOR THE STORED REFERENCES: the graph loads and the CPU inference runs (with the GPU
 * custom-op resolver kept it aborts on the GPU-only Convolution2DTransposeBias stub, so the CPU path is taken),
 * but the mask comes back empty (every pixel (0, 0, 0, 255)), with or without OES_texture_float_linear: the
 * GPU TensorsToSegmentationCalculator apparently does not read a CPU-written tensor. Left here for whoever
 * continues; the stored references come from the default `--inference gpu`, the solution's own graph.
 * Raw protobuf (legacy-graph.js), no schema needed: fields are copied, stream names renamed. */
const { parseProto, encodeProto, str, msg, subgraphFromWasm } = require('./legacy-graph');

function inlinedGraph(inference) {
  const top = parseProto(fs.readFileSync(path.join(PKG, 'selfie_segmentation.binarypb')));
  const sub = subgraphFromWasm(fs.readFileSync(path.join(PKG, 'selfie_segmentation_solution_simd_wasm_bin.wasm')));
  const rename = { image: 'image_transformed' }; // the subgraph's input stream is the top graph's image_transformed
  const nodes = [];
  for (const f of top) {
    if (f.field !== 1) continue;
    const node = parseProto(f.raw);
    const calc = String(Buffer.from(node.find((x) => x.field === 2).raw));
    if (calc !== 'SelfieSegmentationGpu') nodes.push(f);
  }
  for (const f of sub) {
    if (f.field !== 1) continue;
    let node = parseProto(f.raw).map((x) => {
      if (x.field < 3 || x.field > 6) return x;
      const [tag, name] = String(Buffer.from(x.raw)).split(':');
      return name && rename[name] ? str(x.field, `${tag}:${rename[name]}`) : x;
    });
    const calc = String(Buffer.from(node.find((x) => x.field === 2).raw));
    if (inference === 'cpu') {
      if (calc === 'InferenceCalculator') node = [...node, msg(7, [msg(336783863, [msg(5, [msg(1, [])])])])]; // delegate { tflite {} }
      if (calc === 'TfLiteCustomOpResolverCalculator') node = node.filter((x) => x.field !== 7); // use_gpu: false
    } else if (inference === 'gpu-fp32') {
      // delegate { gpu { allow_precision_loss: false } }
      if (calc === 'InferenceCalculator') node = [...node, msg(7, [msg(336783863, [msg(5, [msg(2, [{ field: 3, wire: 0, raw: Buffer.from([0]) }])])])])];
    }
    nodes.push(msg(1, node));
  }
  return encodeProto([...nodes, ...top.filter((f) => f.field !== 1)]);
}

function serve(graph) {
  const page = `<!doctype html><html><body><script src="/pkg/selfie_segmentation.js"></script></body></html>`;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/') return res.end(page);
    const name = url.pathname.startsWith('/pkg/') ? path.basename(url.pathname) : '';
    if (graph && name === 'selfie_segmentation.binarypb') { res.writeHead(200, { 'content-type': 'application/octet-stream' }); return res.end(graph); }
    const file = path.join(PKG, name);
    if (!name || !fs.existsSync(file)) { res.statusCode = 404; return res.end('not found'); }
    const type = name.endsWith('.js') ? 'text/javascript' : name.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream';
    res.writeHead(200, { 'content-type': type });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** In the page: runs one image through a fresh SelfieSegmentation and returns the mask's RGBA bytes. */
async function segment(page, modelSelection, width, height, rgb) {
  return page.evaluate(async ({ modelSelection, width, height, b64 }) => {
    const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const canvas = document.createElement('canvas');
    canvas.width = width; canvas.height = height;
    const ctx = canvas.getContext('2d');
    const data = ctx.createImageData(width, height);
    for (let i = 0; i < width * height; i++) { data.data[4 * i] = raw[3 * i]; data.data[4 * i + 1] = raw[3 * i + 1]; data.data[4 * i + 2] = raw[3 * i + 2]; data.data[4 * i + 3] = 255; }
    ctx.putImageData(data, 0, 0);
    const seg = new SelfieSegmentation({ locateFile: (file) => `/pkg/${file}` });
    seg.setOptions({ modelSelection, selfieMode: false });
    const result = await new Promise((resolve, reject) => {
      seg.onResults((r) => {
        const out = document.createElement('canvas');
        out.width = width; out.height = height;
        const octx = out.getContext('2d');
        octx.drawImage(r.segmentationMask, 0, 0, width, height);
        resolve({ w: r.segmentationMask.width, h: r.segmentationMask.height, rgba: Array.from(octx.getImageData(0, 0, width, height).data) });
      });
      seg.send({ image: canvas }).catch(reject);
    });
    await seg.close();
    return result;
  }, { modelSelection, width, height, b64: Buffer.from(rgb).toString('base64') });
}

async function main() {
  const inference = process.argv.includes('--inference') ? process.argv[process.argv.indexOf('--inference') + 1] : 'gpu';
  if (!['cpu', 'gpu', 'gpu-fp32'].includes(inference)) throw new Error('--inference cpu|gpu|gpu-fp32');
  const server = await serve(inference === 'gpu' ? null : inlinedGraph(inference));
  const port = server.address().port;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--disable-features=LocalNetworkAccessChecks', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  // The CPU path's mask is a one-channel float texture; sampling it linearly needs OES_texture_float_linear,
  // which WebGL only turns on when asked (without it the texture samples as (0, 0, 0, 1)).
  await page.addInitScript(() => {
    for (const proto of [HTMLCanvasElement.prototype, OffscreenCanvas.prototype]) {
      const getContext = proto.getContext;
      proto.getContext = function (type, ...rest) {
        const ctx = getContext.call(this, type, ...rest);
        if (ctx && (type === 'webgl2' || type === 'webgl')) {
          window.__glContexts = (window.__glContexts ?? 0) + 1;
          for (const e of ['OES_texture_float_linear', 'EXT_color_buffer_float', 'EXT_float_blend']) ctx.getExtension(e);
        }
        return ctx;
      };
    }
  });
  const logs = [];
  page.on('console', (m) => logs.push(m.text()));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.goto(`http://127.0.0.1:${port}/`);
  const renderer = await page.evaluate(() => {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return 'no webgl2';
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return `${ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER)}; float linear: ${gl.getSupportedExtensions().includes('OES_texture_float_linear')}`;
  });
  const record = { package: require(path.join(PKG, 'package.json')).version, browser: browser.version(), renderer, maskChannel: inference === 'cpu' ? 'red' : 'alpha', inference, images: [] };
  try {
    for (const v of VARIANTS) {
      for (const [name, rgb] of await inputs(v.width, v.height)) {
        const r = await segment(page, v.modelSelection, v.width, v.height, rgb);
        if (r.w !== v.width || r.h !== v.height) throw new Error(`${v.variant}/${name}: mask is ${r.w}×${r.h}, expected ${v.width}×${v.height}`);
        const rgba = Uint8Array.from(r.rgba);
        const channels = [0, 1, 2, 3].map((c) => { let mn = 255, mx = 0; for (let i = c; i < rgba.length; i += 4) { mn = Math.min(mn, rgba[i]); mx = Math.max(mx, rgba[i]); } return [mn, mx]; });
        const mask = Buffer.alloc(v.width * v.height);
        // GPU inference: the mask is premultiplied colour, its value in alpha; CPU inference: a float texture, the value in red.
        const channel = inference === 'cpu' ? 0 : 3;
        for (let i = 0; i < mask.length; i++) mask[i] = rgba[4 * i + channel];
        const base = `${v.variant}-${name}`;
        await sharp(rgb, { raw: { width: v.width, height: v.height, channels: 3 } }).png({ compressionLevel: 9 }).toFile(path.join(OUT, `${base}.input.png`));
        await sharp(mask, { raw: { width: v.width, height: v.height, channels: 1 } }).png({ compressionLevel: 9 }).toFile(path.join(OUT, `${base}.mask.png`));
        record.images.push({ variant: v.variant, modelSelection: v.modelSelection, name, input: `${base}.input.png`, mask: `${base}.mask.png`, channelRanges: channels });
        console.log(base, 'channel ranges (r, g, b, a):', JSON.stringify(channels));
      }
    }
    console.log('WebGL contexts created by the page:', await page.evaluate(() => window.__glContexts));
  } finally {
    if (logs.length) console.log(logs.filter((l) => !/gl_context/.test(l)).slice(0, 60).join('\n'));
    await browser.close();
    server.close();
  }
  fs.writeFileSync(path.join(OUT, 'reference.json'), JSON.stringify(record, null, 2) + '\n');
  console.log('renderer:', renderer);
}

main().catch((e) => { console.error(e); process.exit(1); });
