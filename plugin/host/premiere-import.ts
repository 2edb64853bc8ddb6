/**
 * Getting the matte file into the project, in the "MatAnyone" bin. importFiles resolves a boolean, not the new
 * item, so the item is found afterwards by its media path (uxp.md §4.2).
 */
import type { ClipProjectItemApi, PremiereApi, ProjectApi, ProjectItemApi } from './premiere-api';
import { lockedTransaction } from './premiere-transaction';

/** The bin that collects every imported matte. */
export const MATTE_BIN = 'MatAnyone';

/** Undo name of the bin's creation (its own step: the bin must exist before importFiles can target it). */
export const CREATE_BIN_UNDO = `Create ${MATTE_BIN} bin`;

/** How often, and how far apart, to look for an imported item before giving up (indexing may lag the import). */
const FIND_ATTEMPTS = 5;
const FIND_INTERVAL_MS = 200;

/**
 * The matte as a project item: the one already imported from `path`, or a fresh import into the MatAnyone bin.
 * @param anyClip - any clip project item: findItemsMatchingMediaPath is an instance method, though it searches
 *   the whole project
 * @throws Error when Premiere refuses the import or the item does not show up (the caller names the file)
 */
export async function importMatte(
  ppro: PremiereApi,
  project: ProjectApi,
  anyClip: ClipProjectItemApi,
  path: string,
): Promise<ProjectItemApi> {
  const existing = await findImported(ppro, anyClip, path, 1);
  if (existing) return existing;
  const bin = await matteBin(ppro, project);
  if (!(await project.importFiles([path], true, bin, false))) throw new Error('Premiere refused to import the file');
  const imported = await findImported(ppro, anyClip, path, FIND_ATTEMPTS);
  if (!imported) throw new Error('the imported file did not appear in the project');
  return imported;
}

/** The MatAnyone bin at the project root, created (one undo step) when missing. */
async function matteBin(ppro: PremiereApi, project: ProjectApi): Promise<ProjectItemApi> {
  const root = await project.getRootItem();
  const find = async () => (await root.getItems()).find((item) => isMatteBin(ppro, item));
  const found = await find();
  if (found) return found;
  const created = lockedTransaction(project, CREATE_BIN_UNDO, (compound) => {
    compound.addAction(root.createBinAction(MATTE_BIN, false));
  });
  const bin = created ? await find() : undefined;
  if (!bin) throw new Error(`Premiere could not create the "${MATTE_BIN}" bin`);
  return bin;
}

function isMatteBin(ppro: PremiereApi, item: ProjectItemApi): boolean {
  return item.type === ppro.ProjectItem.TYPE_BIN && item.name === MATTE_BIN;
}

/**
 * The newest project item whose media is exactly `path`. findItemsMatchingMediaPath matches substrings, so
 * "matte-1.mov" would also find "matte-12.mov"; the exact path decides.
 */
async function findImported(
  ppro: PremiereApi,
  anyClip: ClipProjectItemApi,
  path: string,
  attempts: number,
): Promise<ProjectItemApi | undefined> {
  for (let attempt = 1; ; attempt++) {
    const candidates = await anyClip.findItemsMatchingMediaPath(path, true);
    for (const item of [...candidates].reverse()) {
      const clip = ppro.ClipProjectItem.cast(item);
      if (clip && samePath(await clip.getMediaFilePath(), path)) return item;
    }
    if (attempt >= attempts) return undefined;
    await new Promise((resolve) => setTimeout(resolve, FIND_INTERVAL_MS));
  }
}

/** Paths compare with either slash (Windows reports backslashes, the host may send forward ones). */
function samePath(a: string, b: string): boolean {
  const normal = (path: string) => path.replace(/\\/g, '/');
  return normal(a) === normal(b);
}
