// Crafted stores (mlflow.db pages, TensorBoard event files, mlruns/ meta.yaml and metric
// files, DVCLive output) fed to the real readers in a child with a 1 GB heap: no exit,
// no answer taking more than 2 s of CPU (nor 15 s of wall time), no RSS past 1 GB. Mutations start from stores the real
// tools wrote (see storeBases.ts) and are seeded: MLOPS_FUZZ_SEED replays a failure.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { clearFailures, BUDGET_MS, HANG_MS, MAX_PER_KIND, recordFailure, REPLY_MS, RSS_LIMIT_MB, SEED, Tally, inputRng } from './fuzzRun';
import { mutateBytes, mutateEventFile, mutateText, sqliteOps, type Mutated } from './mutations';
import type { ReaderReply, StoreKind } from './readerChild';
import { makeStoreBases, type StoreBase } from './storeBases';

const childScript = path.join(__dirname, 'readerChild.ts');

/** The reader child: one request at a time, restarted after a crash or a hang. */
class Reader {
  private proc?: ChildProcess;
  private waiting?: (r: ReaderReply | { exit: string }) => void;
  stderr = '';

  private start(): ChildProcess {
    const proc = spawn(process.execPath, [`--max-old-space-size=${RSS_LIMIT_MB}`, '--import', 'tsx', childScript], { stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: proc.stdout! }).on('line', (line) => this.waiting?.(JSON.parse(line) as ReaderReply));
    proc.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    proc.on('exit', (code, signal) => {
      if (this.proc === proc) this.proc = undefined;
      this.waiting?.({ exit: `the reader exited (${signal ?? code}): ${this.stderr.trim().slice(-1500)}` });
    });
    return proc;
  }

  read(kind: StoreKind, location: string): Promise<ReaderReply | { exit: string } | { hang: true }> {
    const proc = (this.proc ??= this.start());
    this.stderr = '';
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        proc.kill('SIGKILL');
        resolve({ hang: true });
      }, HANG_MS);
      this.waiting = (r) => {
        clearTimeout(timer);
        this.waiting = undefined;
        resolve(r);
      };
      proc.stdin!.write(JSON.stringify({ kind, location }) + '\n');
    });
  }

  dispose(): void {
    this.waiting = undefined;
    this.proc?.kill('SIGKILL');
  }
}

function mutate(base: StoreBase, original: Buffer, index: number): Mutated<Buffer> {
  const r = inputRng(base.kind, index);
  if (base.kind === 'mlflow.db') return mutateBytes(original, r, sqliteOps(original.readUInt16BE(16) || 65536));
  if (base.kind === 'tfevents') return mutateEventFile(original, r);
  // Text stores: mostly text mutations; now and then raw bytes (a file cut mid-character).
  if (r.next() < 0.2) return mutateBytes(original, r);
  const m = mutateText(original.toString('utf8'), r);
  return { value: Buffer.from(m.value, 'utf8'), steps: m.steps };
}

describe('crafted-input fuzz: run stores in a bounded reader child', function () {
  this.timeout(BUDGET_MS + 90000);
  let dir = '';
  let bases: StoreBase[] = [];
  const reader = new Reader();

  before(async function () {
    this.timeout(180000);
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-fuzz-stores-'));
    bases = await makeStoreBases(path.join(dir, 'bases'));
  });
  after(() => {
    reader.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`answers mutated stores without exiting, within ${REPLY_MS} ms and ${RSS_LIMIT_MB} MB (seed ${SEED})`, async () => {
    const tally = new Tally();
    const live = bases.filter((b) => !b.skipped);
    for (const b of bases) tally.notes.push(b.skipped ? `skipped ${b.kind}: ${b.skipped}` : `${b.kind} base ${b.origin}: ${b.files.length} file(s)`);
    assert.ok(live.length, 'no store base could be made');
    clearFailures(bases.map((b) => b.kind));
    // Each kind's working copy; a mutated file is put back after its input.
    const work = new Map(live.map((b) => [b.kind, path.join(dir, 'work', b.kind.replace('.', '-'))]));
    for (const b of live) cpSync(b.location, path.join(work.get(b.kind)!, path.basename(b.location)), { recursive: true });
    const at = (b: StoreBase) => path.join(work.get(b.kind)!, path.basename(b.location));

    // Warm-up: each untouched base once (module loads, sql.js), not counted in the bounds.
    for (const b of live) {
      const r = await reader.read(b.kind, at(b));
      assert.ok('ms' in r && !r.error, `the unmutated ${b.kind} base did not read: ${JSON.stringify(r)}`);
      tally.notes.push(`${b.kind} unmutated: ${r.runs} runs, ${r.points} points, ${r.warnings} warnings, ${r.ms} ms`);
    }

    // Why readers refused whole stores, most common first: a refusal is an answer, but a
    // TypeError here would be a reader bug the warning hides.
    const refusals = new Map<string, number>();
    const started = Date.now();
    for (let index = 0; index < MAX_PER_KIND && Date.now() - started < BUDGET_MS; index++) {
      for (const b of live) {
        const r = inputRng(b.kind + '/file', index);
        const rel = r.pick(b.files);
        const file = rel ? path.join(at(b), rel) : at(b);
        const original = readFileSync(file);
        const m = mutate(b, original, index);
        writeFileSync(file, m.value);
        const reply = await reader.read(b.kind, at(b));
        tally.count(b.kind);
        let reason = '';
        if ('hang' in reply) reason = `no answer within ${HANG_MS} ms (killed)`;
        else if ('exit' in reply) reason = reply.exit;
        else {
          tally.maxReplyMs = Math.max(tally.maxReplyMs, reply.ms);
          tally.maxReplyCpuMs = Math.max(tally.maxReplyCpuMs, reply.cpuMs);
          tally.maxRssMb = Math.max(tally.maxRssMb, reply.maxRssMb);
          tally.outcome(b.kind, reply.error ? 'refused' : reply.warnings ? 'warned' : 'clean');
          if (reply.error) refusals.set(`${b.kind}: ${reply.error.slice(0, 90)}`, (refusals.get(`${b.kind}: ${reply.error.slice(0, 90)}`) ?? 0) + 1);
          if (reply.cpuMs > REPLY_MS && m.value.length <= 1 << 20) reason = `answered in ${reply.ms} ms, ${reply.cpuMs} ms of CPU (> ${REPLY_MS})`;
          else if (reply.maxRssMb > RSS_LIMIT_MB) reason = `RSS reached ${reply.maxRssMb} MB`;
        }
        if (reason) {
          const where = recordFailure({ kind: b.kind, index, steps: [`${rel || path.basename(b.location)}: ${m.steps.join('; ')}`], reason }, { [rel || path.basename(b.location)]: m.value });
          tally.failures.push(`${b.kind} #${index} (${rel}: ${m.steps.join('; ')}): ${reason}\n        input: ${where}`);
        }
        writeFileSync(file, original);
      }
    }
    for (const [why, n] of [...refusals].sort((a, b) => b[1] - a[1]).slice(0, 6)) tally.notes.push(`refused ×${n}: ${why}`);
    tally.print('stores', Date.now() - started);
    assert.deepEqual(tally.failures, [], `seed ${SEED}: replay with MLOPS_FUZZ_SEED=${SEED}`);
  });
});
