// Child of mlflowDbCrafted.test.ts: lists one mlflow.db and prints what came of it.
import { MlflowSqliteSource } from '../../../src/core/runs/mlflow/sqliteStoreSource';

async function main(file: string): Promise<void> {
  const warnings: string[] = [];
  const src = new MlflowSqliteSource(file, { onWarning: (w) => warnings.push(w.message) });
  try {
    const { runs } = await src.list();
    console.log(JSON.stringify({ runs: runs.length, warnings }));
  } catch (err) {
    console.log(JSON.stringify({ error: String((err as Error).message ?? err), warnings }));
  } finally {
    src.dispose();
  }
}

void main(process.argv[2]);
