// Which runs a registry can register a model from: the runs of the same store. The Runs view
// names a store `<kind>:<location>` and the Models view names its registry the same way, so the
// match is on the whole id (a suffix match would also take `/b/x/mlflow.db` for `/x/mlflow.db`).

export interface ListedRun {
  ref: { sourceId: string; runId: string };
  run: { id: string; startTime?: number };
}

/** The store's id as both views write it. */
export const storeId = (kind: string, location: string): string => `${kind}:${location}`;

/** The runs of the registry's store, newest first (a run without a start time last). */
export function runsOfRegistry<T extends ListedRun>(registryId: string, runs: readonly T[]): T[] {
  return runs.filter((r) => r.ref.sourceId === registryId).sort((x, y) => (y.run.startTime ?? -Infinity) - (x.run.startTime ?? -Infinity) || x.run.id.localeCompare(y.run.id));
}
