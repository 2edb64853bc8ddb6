import { promises as fs } from 'fs';
import * as path from 'path';
import { HostError } from '../errors';
import { rasteriseBox, rasteriseDrawing } from '../jobs/stroke-raster';
import { readStrokesFile } from '../mask/strokes-file';
import { decodeFrame } from '../person-mask/frame-person-mask';
import { personMask } from '../person-mask/person-mask';
import { encodeGreyPng } from '../video/png';
import { integer, parseBox, parseCommandArgs, singleInput } from './args';

export const MASK_HELP = `Usage: matanyone mask <video|image|frame folder> (--auto [--box X,Y,W,H] | --box X,Y,W,H | --strokes FILE) --out mask.png

Writes the first-frame mask a matte job would start from (before the official dilate/erode, at the
source size), so that you can look at it, touch it up, and pass it to \`matanyone matte --mask\`.

  --input PATH          video file, image, or folder of numbered frames (or the first argument)
  --frame N             the frame to mask (0-based; default 0, the first frame of a job)
  --auto                the people found on the frame (what --mask auto uses)
  --box X,Y,W,H         with --auto: only the people this box touches, whole;
                        alone: the box itself (as a panel's box mask)
  --strokes FILE        a drawing as JSON: {"shapes": [{"type": "box", "x", "y", "width", "height"},
                        {"type": "stroke", "points": [[x, y], …], "radius": R}]}, in frame pixels,
                        painted in order; "erase": true clears. With --auto: painted over the
                        people found (to add a held object, or remove a neighbour)
  --out FILE            the PNG to write (8-bit grey, 255 = subject)
`;

export async function maskCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('mask', argv, {
    input: { type: 'string', short: 'i' },
    frame: { type: 'string', default: '0' },
    auto: { type: 'boolean', default: false },
    box: { type: 'string' },
    strokes: { type: 'string' },
    out: { type: 'string', short: 'o' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(MASK_HELP);
    return 0;
  }
  const input = singleInput(values.input as string | undefined, positionals, 'mask: give one video, image or frame folder (see `matanyone mask --help`)');
  if (!values.out) throw new HostError('INVALID_ARGUMENT', 'mask: --out <mask.png> is required');
  if (!values.auto && values.box === undefined && values.strokes === undefined)
    throw new HostError('INVALID_ARGUMENT', 'mask: give --auto (the people on the frame), --box X,Y,W,H or --strokes FILE');
  if (!values.auto && values.box !== undefined && values.strokes !== undefined)
    throw new HostError('INVALID_ARGUMENT', 'mask: --box and --strokes are two masks; draw the box in the strokes file, or use --auto --box');
  const shapes = values.strokes !== undefined ? await readStrokesFile(values.strokes as string) : undefined;
  const index = integer('frame', values.frame as string, 0)!;
  const box = values.box !== undefined ? parseBox(values.box as string) : undefined;

  const frame = await decodeFrame(input, index);
  const { width, height } = frame;
  let grey: Uint8Array;
  let what: string;
  if (values.auto) {
    const found = await personMask(frame, { box, frameIndex: index });
    grey = found.mask;
    what = `${found.people} ${found.people === 1 ? 'region' : 'regions'}, ${(found.coverage * 100).toFixed(1)} % of the frame`;
    if (shapes) {
      grey = rasteriseDrawing(shapes, width, height, grey);
      what += `, then ${shapes.length} drawn ${shapes.length === 1 ? 'shape' : 'shapes'}`;
    }
  } else if (shapes) {
    grey = rasteriseDrawing(shapes, width, height);
    what = `${shapes.length} drawn ${shapes.length === 1 ? 'shape' : 'shapes'}`;
  } else {
    grey = rasteriseBox({ kind: 'box', ...box! }, width, height);
    if (!grey.some((v) => v !== 0)) throw new HostError('MASK_EMPTY', `the box ${values.box} lies outside the ${width}×${height} frame`);
    what = 'the box';
  }
  if (!grey.some((v) => v !== 0)) throw new HostError('MASK_EMPTY', `the mask is empty: nothing drawn lies inside the ${width}×${height} frame`);
  const out = values.out as string;
  await fs.mkdir(path.dirname(path.resolve(out)), { recursive: true });
  await fs.writeFile(out, encodeGreyPng(width, height, grey, 8)).catch((e: Error) => {
    throw new HostError('OUTPUT_FAILED', `cannot write ${out}: ${e.message}`);
  });
  process.stdout.write(`mask: ${out} (${width}×${height}, frame ${index}: ${what})\n`);
  return 0;
}
