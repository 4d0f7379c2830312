// Child of slurmCrafted.test.ts: builds one crafted Slurm answer in memory (so no huge
// file is written) and runs the reader on it; prints what came of it.
import { parseScontrolJobs } from '../../../src/core/jobs/slurm/scontrol';
import { parseSinfo } from '../../../src/core/jobs/slurm/sinfo';
import { parseJobcomp } from '../../../src/core/jobs/slurm/jobcomp';
import { SEP } from '../../../src/core/jobs/slurm/fields';
import { splitSnapshot } from '../../../src/core/jobs/slurm/snapshotCommand';
import { parseSqueue } from '../../../src/core/jobs/slurm/squeue';
import type { ClusterWarning } from '../../../src/core/jobs/types';

const MB = 1 << 20;
const cases: Record<string, () => { count: number; warnings: ClusterWarning[] }> = {
  // 64 MiB without a line break.
  oneHugeLine: () => {
    const w: ClusterWarning[] = [];
    return { count: parseSqueue('x'.repeat(64 * MB), w).length, warnings: w };
  },
  // Millions of short lines of the right shape: kept up to the record limit.
  manyRecords: () => {
    const w: ClusterWarning[] = [];
    const line = `${Array.from({ length: 24 }, (_, i) => String(i)).join(SEP)}${SEP}\n`;
    return { count: parseSqueue(line.repeat(1_000_000), w).length, warnings: w };
  },
  // A Gres field of nested parentheses and commas (the GRES splitter walks it once).
  gresNesting: () => {
    const w: ClusterWarning[] = [];
    const gres = `gpu:a100:1${'('.repeat(3000)}${',gpu:x:1'.repeat(400)}`;
    const row = ['n', 'p*', 'up', 'infinite', 'idle', gres, gres, '0/2/0/2', '1', '0', 'none'].join(SEP) + SEP;
    return { count: parseSinfo(`${row}\n`.repeat(50), w).length, warnings: w };
  },
  // scontrol / jobcomp lines of nothing but keys.
  keyStorm: () => {
    const w: ClusterWarning[] = [];
    const line = 'a='.repeat(8000);
    const jobs = parseScontrolJobs(`${line}\n`.repeat(2000), w).length + parseJobcomp(`JobId=1 ${line}\n`.repeat(2000), w).length;
    return { count: jobs, warnings: w };
  },
  // The frame marker over and over.
  frameStorm: () => {
    const out = splitSnapshot('@@n part x 0 1\n'.repeat(2_000_000), '@@n');
    return { count: out.sections.size, warnings: [] };
  },
};

const name = process.argv[2];
const started = Date.now();
const r = cases[name]();
console.log(JSON.stringify({ ...r, warnings: r.warnings.map((x) => x.message.slice(0, 200)), ms: Date.now() - started }));
