import { promises as fs } from 'fs';
import { z } from 'zod';
import { DrawnShape } from '../../bridge/media';
import { HostError } from '../errors';

/**
 * `matanyone mask --strokes FILE`: the shapes of a drawing as JSON, the same shapes a panel sends in a
 * `drawing` mask (boxes and strokes in source frame pixels, `erase` to clear), either as `{"shapes": […]}` or
 * as the bare array, painted in order.
 *
 * @example {"shapes": [{"type": "box", "x": 40, "y": 20, "width": 120, "height": 200},
 *                      {"type": "stroke", "points": [[60, 30], [90, 60]], "radius": 8, "erase": true}]}
 */
const Shapes = z.array(DrawnShape).min(1);
const Drawing = z.object({ shapes: Shapes });

/** @throws HostError INVALID_ARGUMENT naming the file and what is wrong in it */
export async function readStrokesFile(file: string): Promise<DrawnShape[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new HostError('INVALID_ARGUMENT', `--strokes: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new HostError('INVALID_ARGUMENT', `--strokes: ${file} is not JSON (${(e as Error).message})`);
  }
  // Two schemas picked by shape rather than a union, so that an error names the bad shape, not "invalid input".
  const parsed = Array.isArray(json) ? Shapes.safeParse(json) : Drawing.transform((d) => d.shapes).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new HostError('INVALID_ARGUMENT', `--strokes: ${file} is not a list of shapes${where}: ${issue.message} (see \`matanyone mask --help\`)`);
  }
  return parsed.data;
}
