/** A call the real Adobe app rejects (or that its documented rules forbid): the adapter under test has a bug. */
export class FakeRuleError extends Error {
  override readonly name = 'FakeRuleError';
}
