// The kinds of run stores kept in files, apart from their readers (fileSources.ts): the
// extension host needs only the names, and importing the readers would put them, with the
// yaml and git libraries, in the bundle the host loads at the first listing.
export const FILE_STORE_KINDS = ['mlflow-sqlite', 'mlflow-file', 'dvc-experiments', 'dvclive', 'tensorboard'] as const;
export type FileStoreKind = (typeof FILE_STORE_KINDS)[number];

export const isFileStoreKind = (kind: string): kind is FileStoreKind => (FILE_STORE_KINDS as readonly string[]).includes(kind);
