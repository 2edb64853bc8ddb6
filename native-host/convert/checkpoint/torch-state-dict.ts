import { unsupported } from './checkpoint-errors';
import { pickledClassName, TensorRef } from './torch-pickle';

/** Keys under which training checkpoints nest the model's state dict, tried in this order. */
const WRAPPER_KEYS = ['model', 'state_dict', 'model_state_dict'];
const MAX_WRAPPER_DEPTH = 4;

/**
 * An inert object left by a torch rebuild function nobody registered (quantised, sparse, nested tensors):
 * a tensor this loader cannot read, as opposed to other torch objects such as `torch.device`.
 */
function unreadableTensorKind(value: unknown): string | undefined {
  const cls = pickledClassName(value);
  return cls?.startsWith('torch._utils._rebuild_') ? cls : undefined;
}

function hasTensors(dict: Map<unknown, unknown>): boolean {
  for (const v of dict.values()) if (v instanceof TensorRef || unreadableTensorKind(v)) return true;
  return false;
}

/** Descends through wrapper dicts (`{"model": state_dict, "epoch": 3}`) to the first dict holding tensors. */
function unwrap(root: unknown, depth: number): Map<unknown, unknown> | undefined {
  if (!(root instanceof Map)) return undefined;
  if (hasTensors(root)) return root;
  if (depth >= MAX_WRAPPER_DEPTH) return undefined;
  for (const key of WRAPPER_KEYS) {
    const inner = unwrap(root.get(key), depth + 1);
    if (inner) return inner;
  }
  return undefined;
}

/**
 * Finds the state dict in what `data.pkl` unpickled to: the root dict itself, or one nested under
 * `model` / `state_dict` (training checkpoints). Non-tensor entries (`_metadata`, counters, strings) are
 * skipped.
 *
 * @returns tensor name to {@link TensorRef}, in file order
 * @throws CheckpointFormatError (`unsupported`) when there is no state dict (e.g. a whole pickled model
 * object) or an entry is a kind of tensor this loader cannot read
 */
export function findTorchStateDict(root: unknown): Map<string, TensorRef> {
  const dict = unwrap(root, 0);
  if (!dict) {
    const cls = pickledClassName(root);
    if (cls && !cls.startsWith('collections.')) {
      throw unsupported(
        `it stores a pickled ${cls} object instead of a state dict; re-save it with torch.save(model.state_dict(), f)`,
      );
    }
    throw unsupported('it is a torch.save file without a state dict of tensors');
  }
  const tensors = new Map<string, TensorRef>();
  for (const [key, value] of dict) {
    if (value instanceof TensorRef) {
      tensors.set(String(key), value);
      continue;
    }
    const cls = unreadableTensorKind(value);
    if (cls) {
      throw unsupported(`tensor '${String(key)}' is stored as ${cls}, which this loader does not read`);
    }
  }
  return tensors;
}
