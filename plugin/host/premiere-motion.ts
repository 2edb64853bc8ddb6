/**
 * Copying the clip's Motion (position, scale, rotation, anchor point, crop ...) onto its matte, so that a scaled
 * or moved clip and its matte line up (uxp.md §4.3, "the main quality trap"). Only static values are copied:
 * keyframes live in the clip's media time, which differs from the matte's, so they are named for the user.
 */
import type { ComponentApi, ParamValue, ProjectApi, VideoClipTrackItemApi } from './premiere-api';
import { lockedTransaction } from './premiere-transaction';

/** The fixed Motion effect's match name. */
export const MOTION = 'AE.ADBE Motion';

/** Undo name of the Motion copy: its own step, since the matte's item exists only after the placement. */
export const MOTION_UNDO = 'Matte Subject: Motion';

interface ParamState {
  index: number;
  name: string;
  /** undefined when the parameter is keyframed */
  value?: ParamValue;
}

/**
 * Sets every Motion parameter of `target` that differs from `source`'s, in one transaction.
 * @param clipName - the source clip's name, for the notes
 * @returns sentences for the user (what was copied, what must be copied by hand)
 */
export async function copyMotion(
  project: ProjectApi,
  source: VideoClipTrackItemApi,
  target: VideoClipTrackItemApi,
  clipName: string,
): Promise<string[]> {
  const [from, to] = await Promise.all([readMotion(source), readMotion(target)]);
  if (!from || !to) return [`Premiere shows no Motion on "${clipName}" or its matte: line the matte up by hand.`];

  const keyframed = from.params.filter((param) => param.value === undefined).map((param) => param.name);
  const changes: Array<{ index: number; name: string; value: ParamValue }> = [];
  for (const param of from.params) {
    if (param.value === undefined) continue;
    const match = to.params[param.index]?.name === param.name ? to.params[param.index] : undefined;
    const counterpart = match ?? to.params.find((candidate) => candidate.name === param.name);
    if (!counterpart || counterpart.value === undefined || sameValue(param.value, counterpart.value)) continue;
    changes.push({ index: counterpart.index, name: param.name, value: param.value });
  }

  const notes: string[] = [];
  if (changes.length > 0) {
    const names = listNames(changes.map((change) => change.name));
    const copied = lockedTransaction(project, MOTION_UNDO, (compound) => {
      for (const change of changes) {
        const param = to.component.getParam(change.index);
        compound.addAction(param.createSetValueAction(param.createKeyframe(change.value), true));
      }
    });
    notes.push(
      copied
        ? `${names} ${changes.length === 1 ? 'was' : 'were'} copied from "${clipName}" onto the matte (undo step "${MOTION_UNDO}").`
        : `Premiere did not copy Motion onto the matte: set its ${names} as on "${clipName}".`,
    );
  }
  if (keyframed.length > 0) {
    const verb = keyframed.length === 1 ? 'is' : 'are';
    notes.push(`${listNames(keyframed)} ${verb} keyframed on "${clipName}": copy the keyframes onto the matte by hand.`);
  }
  return notes;
}

/** The item's Motion component and each parameter's static value (all async reads, done before any lock). */
async function readMotion(
  item: VideoClipTrackItemApi,
): Promise<{ component: ComponentApi; params: ParamState[] } | undefined> {
  const chain = await item.getComponentChain();
  for (let index = 0; index < chain.getComponentCount(); index++) {
    const component = chain.getComponentAtIndex(index);
    if ((await component.getMatchName()) !== MOTION) continue;
    const params: ParamState[] = [];
    for (let param = 0; param < component.getParamCount(); param++) {
      const handle = component.getParam(param);
      const value = handle.isTimeVarying() ? undefined : (await handle.getStartValue()).value.value;
      params.push({ index: param, name: handle.displayName, value });
    }
    return { component, params };
  }
  return undefined;
}

/** Values compare by content: points and colours come back as fresh objects on every read. */
function sameValue(a: ParamValue, b: ParamValue): boolean {
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  const fields = ['x', 'y', 'red', 'green', 'blue', 'alpha'] as const;
  return fields.every((field) => (a as Record<string, unknown>)[field] === (b as Record<string, unknown>)[field]);
}

/** "Position", "Position and Scale", "Position, Scale and Rotation". */
function listNames(names: string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
