/**
 * The fake Premiere's edit engine: Premiere 26.3's rules for lockedAccess, executeTransaction and actions, and an
 * undo stack the tests read. Rules the real app enforces (or its eslint plugin forbids, uxp.md §4.3) throw a
 * FakeRuleError at the call that breaks them, so a test fails where the app would. An edit the app would refuse
 * (an action that cannot apply) makes the transaction return false and leaves the project untouched.
 */
import type { Action, CompoundActionApi } from '../../../plugin/host/premiere-api';
import { FakeRuleError } from '../fake-rule-error';

export { FakeRuleError };

/** An edit Premiere would refuse at commit: the transaction returns false. */
export class FakeEditRefused extends Error {
  override readonly name = 'FakeEditRefused';
}

/** What an action did, as plain JSON (the undo stack is read from a browser page too). */
export interface ActionRecord {
  kind: 'createBin' | 'overwrite' | 'insert' | 'remove' | 'setValue' | 'appendComponent';
  [detail: string]: string | number | boolean | null;
}

/** One undo entry: what Ctrl+Z would revert in one step. */
export interface UndoEntry {
  name: string;
  actions: ActionRecord[];
}

/** Applies an action's change and returns the function that reverts it. */
type Apply = () => () => void;

/** An Action (the official type is `{}`): its record, its change, and the lockedAccess call that built it. */
export class FakeAction implements Action {
  added = false;
  constructor(
    readonly record: ActionRecord,
    readonly apply: Apply,
    readonly lockCall: number,
  ) {}
}

const isThenable = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

export class Engine {
  readonly undoStack: UndoEntry[] = [];
  /** Transactions that returned false, with the reason (for test messages). */
  readonly refused: Array<{ name: string; reason: string }> = [];
  private readonly reverts: Array<Array<() => void>> = [];
  private lockCalls = 0;
  /** the current lockedAccess call's number, 0 outside */
  private lockCall = 0;
  private inTransaction = false;

  /** Project.lockedAccess: synchronous callback; actions may be built only while it runs. */
  lockedAccess(callback: () => void): void {
    if (this.lockCall) throw new FakeRuleError('lockedAccess cannot nest: the project is already locked');
    this.lockCall = ++this.lockCalls;
    try {
      const result: unknown = callback();
      if (isThenable(result)) {
        throw new FakeRuleError('the lockedAccess callback returned a Promise: the lock ends when it returns, so await before it');
      }
    } finally {
      this.lockCall = 0;
    }
  }

  /** Project.executeTransaction: inside lockedAccess, synchronous callback, one undo entry when it commits. */
  executeTransaction(callback: (compound: CompoundActionApi) => void, undoString = ''): boolean {
    if (!this.lockCall) throw new FakeRuleError('executeTransaction must run inside project.lockedAccess');
    if (this.inTransaction) throw new FakeRuleError('executeTransaction cannot nest');
    const compound = new FakeCompoundAction(this.lockCall);
    this.inTransaction = true;
    let result: unknown;
    try {
      result = callback(compound);
    } finally {
      this.inTransaction = false;
      compound.close();
    }
    if (isThenable(result)) {
      throw new FakeRuleError(
        'the executeTransaction callback returned a Promise: Premiere commits when it returns, so build actions synchronously',
      );
    }
    return this.commit(undoString, compound.actions);
  }

  /** Every create*Action goes through here: since Premiere 26.3 they exist only inside lockedAccess. */
  createAction(record: ActionRecord, apply: Apply): FakeAction {
    if (!this.lockCall) {
      throw new FakeRuleError(`${record.kind}: create*Action must be called inside project.lockedAccess (Premiere 26.3)`);
    }
    return new FakeAction(record, apply, this.lockCall);
  }

  /** Reverts the last undo entry, as Ctrl+Z would. */
  undo(): UndoEntry | undefined {
    const entry = this.undoStack.pop();
    for (const revert of (this.reverts.pop() ?? []).reverse()) revert();
    return entry;
  }

  private commit(name: string, actions: FakeAction[]): boolean {
    const reverts: Array<() => void> = [];
    try {
      for (const action of actions) reverts.push(action.apply());
    } catch (error) {
      for (const revert of reverts.reverse()) revert();
      if (!(error instanceof FakeEditRefused)) throw error;
      this.refused.push({ name, reason: error.message });
      return false;
    }
    if (actions.length > 0) {
      this.undoStack.push({ name, actions: actions.map((action) => action.record) });
      this.reverts.push(reverts);
    }
    return true;
  }
}

/** The CompoundAction handed to a transaction callback; dead once the callback returns. */
class FakeCompoundAction implements CompoundActionApi {
  readonly actions: FakeAction[] = [];
  private open = true;

  constructor(private readonly lockCall: number) {}

  get empty(): boolean {
    return this.actions.length === 0;
  }

  addAction(action: Action): boolean {
    if (!this.open) throw new FakeRuleError('addAction on a CompoundAction whose transaction callback has returned');
    if (!(action instanceof FakeAction)) throw new FakeRuleError('addAction takes an action made by a create*Action call');
    if (action.lockCall !== this.lockCall) {
      const kind = action.record.kind;
      throw new FakeRuleError(`${kind}: the action was created outside this lockedAccess call; create it where it is added`);
    }
    if (action.added) throw new FakeRuleError(`${action.record.kind}: the action was already added`);
    action.added = true;
    this.actions.push(action);
    return true;
  }

  close(): void {
    this.open = false;
  }
}
