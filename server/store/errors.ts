// errors: the store's typed failures. The API turns each into a Kubernetes Status in one place
// (server/api/errors.ts); everything else is a real fault.

export class StoreError extends Error {}

export class NotFoundError extends StoreError {
  constructor(readonly resource: string, readonly objectName: string) {
    super(`${resource} "${objectName}" not found`);
  }
}

export class AlreadyExistsError extends StoreError {
  constructor(readonly resource: string, readonly objectName: string) {
    super(`${resource} "${objectName}" already exists`);
  }
}

/** ConflictError: the write named a resourceVersion that is no longer the object's current one. */
export class ConflictError extends StoreError {
  constructor(readonly resource: string, readonly objectName: string) {
    super(
      `Operation cannot be fulfilled on ${resource} "${objectName}": the object has been modified; please apply your changes to the latest version and try again`,
    );
  }
}

/** ExpiredError: a watch asked for revisions that compaction already removed (HTTP 410). */
export class ExpiredError extends StoreError {
  constructor(readonly requested: number, readonly oldest: number) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}
