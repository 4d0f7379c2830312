// Every problem the Data view can meet has a code (for the view's icon and the tests)
// and a message that says what is wrong and what to do next.

export type DataProblemCode =
  | 'no-dvc'
  | 'not-git'
  | 'missing-hash'
  | 'malformed-hash'
  | 'unreadable-dvc-file'
  | 'missing-cache'
  | 'detached-head'
  | 'shallow-clone'
  | 'dvc-cli';

export interface DataProblem {
  code: DataProblemCode;
  message: string;
  /** Repo-relative file the problem is about, when there is one. */
  file?: string;
}

export class DataError extends Error {
  constructor(
    readonly code: DataProblemCode,
    message: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'DataError';
  }

  get problem(): DataProblem {
    return { code: this.code, message: this.message, file: this.file };
  }
}

export const noDvcMessage = (dir: string) =>
  `${dir} is not a DVC project (no .dvc folder above it). Run "dvc init" in the git repository to start tracking data and models.`;
