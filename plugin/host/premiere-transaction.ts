import type { CompoundActionApi, ProjectApi } from './premiere-api';

/**
 * Runs `build` as one undoable transaction named `undoName`, inside lockedAccess. Since Premiere 26.3 every
 * create*Action call must happen inside lockedAccess, and neither callback may await (the lock is gone by the time
 * a promise settles; uxp.md §0.6), so `build` is synchronous: gather every async value before calling this.
 * @returns whether Premiere committed the transaction
 * @example
 * const ok = lockedTransaction(project, 'Matte Subject', (compound) => {
 *   compound.addAction(editor.createOverwriteItemAction(item, at, 2, 0));
 * });
 */
export function lockedTransaction(
  project: ProjectApi,
  undoName: string,
  build: (compound: CompoundActionApi) => void,
): boolean {
  let committed = false;
  project.lockedAccess(() => {
    committed = project.executeTransaction(build, undoName);
  });
  return committed;
}
