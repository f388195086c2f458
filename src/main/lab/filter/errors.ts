/** The one error a filter compile can raise internally; compileFilter turns it into a value. */
export class FilterError extends Error {
  constructor(
    message: string,
    /** Character index in the filter text where the problem is. */
    readonly position: number,
  ) {
    super(message);
    this.name = 'FilterError';
  }
}
