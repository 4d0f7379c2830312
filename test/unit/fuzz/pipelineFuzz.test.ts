// Crafted pipeline files (dvc.yaml, MLproject, and the params.yaml and dvc.lock the server
// reads from disk) fed to the language server in a child over stdio, with a 1 GB heap:
// it must not exit, must publish diagnostics and answer every request within 2 s (inputs
// up to 1 MB; the server's CPU time, where /proc tells it, so that a CI machine shared by
// many jobs does not turn waiting for a core into a finding; 15 s of wall time at most),
// stay under 1 GB of RSS, log no handler error, and keep every range it returns inside the
// document. Seeded: MLOPS_FUZZ_SEED replays a failure, whose input is written to
// test-results/fuzz-failures/.
import { strict as assert } from 'node:assert';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { clearFailures, BUDGET_MS, HANG_MS, MAX_PER_KIND, recordFailure, REPLY_MS, RSS_LIMIT_MB, SEED, Tally, inputRng } from './fuzzRun';
import { LspChild, type LspRange, type Published } from './lspClient';
import { mutateText, type Rng } from './mutations';

const repo = path.resolve(__dirname, '../../..');
const fixtures = path.join(repo, 'test', 'unit', 'pipelines', 'fixtures');

// A dvc.lock for the examples pipeline, in the shape `dvc repro` writes (schema 2.0).
const EXAMPLES_LOCK = `schema: '2.0'
stages:
  prepare:
    cmd: python src/prepare.py
    deps:
    - path: src/common.py
      hash: md5
      md5: 0f3c2b1a9e8d7c6b5a4f3e2d1c0b9a88
      size: 1043
    - path: src/prepare.py
      hash: md5
      md5: 8e1f2d3c4b5a69788796a5b4c3d2e1f0
      size: 1532
    params:
      params.yaml:
        prepare.class_sep: 1.5
        prepare.n_features: 8
        prepare.n_samples: 600
        prepare.seed: 42
        prepare.test_size: 0.25
    outs:
    - path: data/prepared
      hash: md5
      md5: 6ea46d53348e675e87743182f72de908.dir
      size: 61440
      nfiles: 4
  train:
    cmd: python src/train.py
    deps:
    - path: data/prepared
      hash: md5
      md5: 6ea46d53348e675e87743182f72de908.dir
      size: 61440
      nfiles: 4
    outs:
    - path: models/model.pkl
      hash: md5
      md5: 39c3c1505d0855232002f6ae5cdec287
      size: 1183
`;

/** Lines as LSP counts them: \\n, \\r\\n and a lone \\r each end one. */
function lineLengths(text: string): number[] {
  return text.split(/\r\n|\r|\n/).map((l) => l.length);
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      start = i + 1;
    }
  }
  return { line, character: offset - start };
}

/** Why `r` is not inside a document with these line lengths; '' when it is. */
function outside(r: LspRange | undefined, lines: number[]): string {
  if (!r) return '';
  for (const p of [r.start, r.end]) {
    if (!(p.line >= 0 && p.line < lines.length)) return `line ${p.line} of ${lines.length}`;
    if (!(p.character >= 0 && p.character <= lines[p.line])) return `character ${p.character} past the end (${lines[p.line]}) of line ${p.line}`;
  }
  if (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.character > r.end.character)) return 'starts after it ends';
  return '';
}

/** Offsets worth asking about: interpolations, list items, keys; and anywhere. */
function offsetIn(text: string, r: Rng): number {
  const kinds = [/\$\{/g, /- \S/g, /^\s*\w+:/gm];
  if (r.next() < 0.3 || !text.length) return r.int(text.length + 1);
  const hits = [...text.slice(0, 200000).matchAll(r.pick(kinds))];
  if (!hits.length) return r.int(text.length + 1);
  const h = r.pick(hits);
  return Math.min(text.length, h.index! + r.int(h[0].length + 4));
}

interface Folder {
  dir: string;
  files: Record<string, string>;
}

describe('crafted-input fuzz: pipeline files through the language server over stdio', function () {
  this.timeout(BUDGET_MS + 90000);
  let tmp = '';
  let server: LspChild | undefined;
  const versions = new Map<string, number>();
  const folders: Folder[] = [];

  const uriOf = (f: Folder, name: string) => pathToFileURL(path.join(f.dir, name)).href;

  async function startServer(): Promise<LspChild> {
    server?.dispose();
    const s = new LspChild(RSS_LIMIT_MB);
    await s.initialize();
    for (const f of folders)
      for (const name of ['dvc.yaml', 'MLproject']) {
        const uri = uriOf(f, name);
        versions.set(uri, 1);
        await s.published(uri, HANG_MS, () => s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: f.files[name] } }));
      }
    return (server = s);
  }

  before(async function () {
    this.timeout(60000);
    tmp = mkdtempSync(path.join(tmpdir(), 'mlops-fuzz-lsp-'));
    const ex: Folder = { dir: path.join(tmp, 'examples'), files: {} };
    cpSync(path.join(repo, 'examples'), ex.dir, { recursive: true, filter: (src) => !/[\\/](mlruns|data|models|\.dvc)$/.test(src) && !src.endsWith('mlflow.db') });
    writeFileSync(path.join(ex.dir, 'dvc.lock'), EXAMPLES_LOCK);
    const tm: Folder = { dir: path.join(tmp, 'templated'), files: {} };
    mkdirSync(path.join(tm.dir, 'src'), { recursive: true });
    writeFileSync(path.join(tm.dir, 'dvc.yaml'), readFileSync(path.join(fixtures, 'templated.dvc.yaml')));
    writeFileSync(path.join(tm.dir, 'MLproject'), readFileSync(path.join(fixtures, 'MLproject')));
    writeFileSync(path.join(tm.dir, 'params.yaml'), 'prepare:\n  seed: 1\n');
    writeFileSync(path.join(tm.dir, 'config.yaml'), 'model:\n  depth: 3\n');
    writeFileSync(path.join(tm.dir, 'python_env.yaml'), 'python: "3.11"\n');
    for (const f of [ex, tm]) {
      for (const name of ['dvc.yaml', 'MLproject', 'params.yaml', 'dvc.lock']) {
        try {
          f.files[name] = readFileSync(path.join(f.dir, name), 'utf8');
        } catch {
          // The templated folder has no dvc.lock: the examples one is fuzzed.
        }
      }
      folders.push(f);
    }
    await startServer();
  });

  after(() => {
    server?.dispose();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it(`answers mutated pipeline files within ${REPLY_MS} ms, under ${RSS_LIMIT_MB} MB, ranges inside the document (seed ${SEED})`, async () => {
    const tally = new Tally();
    tally.notes.push(`server: ${server!.what}`);
    const kinds = ['dvc.yaml', 'MLproject', 'params.yaml', 'dvc.lock'] as const;
    clearFailures(kinds);
    const started = Date.now();

    for (let index = 0; index < MAX_PER_KIND && Date.now() - started < BUDGET_MS; index++) {
      for (const kind of kinds) {
        const r = inputRng(kind, index);
        const folder = r.pick(folders.filter((f) => f.files[kind] !== undefined));
        const m = mutateText(folder.files[kind], r);
        const onDisk = kind === 'params.yaml' || kind === 'dvc.lock';
        // The document the server validates: the mutated one, or for a file read from
        // disk the dvc.yaml beside it (set back to its base text).
        const docName = kind === 'MLproject' ? 'MLproject' : 'dvc.yaml';
        const uri = uriOf(folder, docName);
        const text = onDisk ? folder.files[docName] : m.value;
        const lines = lineLengths(text);
        const problems: string[] = [];
        const s = server!;
        const timed = async <T>(what: string, run: () => Promise<T | 'timeout'>): Promise<T | undefined> => {
          const t = performance.now();
          const cpu0 = s.cpuMs();
          let out: T | 'timeout';
          try {
            out = await run();
          } catch (err) {
            problems.push(`${what}: ${(err as Error).message}`);
            return undefined;
          }
          const ms = performance.now() - t;
          const cpu = s.cpuMs() - cpu0;
          tally.maxReplyMs = Math.max(tally.maxReplyMs, ms);
          if (!Number.isNaN(cpu)) tally.maxReplyCpuMs = Math.max(tally.maxReplyCpuMs, cpu);
          const spent = Number.isNaN(cpu) ? ms : cpu;
          if (out === 'timeout') problems.push(`${what}: no answer within ${HANG_MS} ms`);
          else if (spent > REPLY_MS && m.value.length <= 1 << 20) problems.push(`${what}: answered in ${Math.round(ms)} ms, ${Math.round(cpu)} ms of CPU (> ${REPLY_MS})`);
          return out === 'timeout' ? undefined : out;
        };
        const checkRanges = (what: string, ranges: (LspRange | undefined)[]) => {
          for (const rg of ranges) {
            const why = outside(rg, lines);
            if (why) return void problems.push(`${what} range ${JSON.stringify(rg)}: ${why}`);
          }
        };

        if (onDisk) {
          writeFileSync(path.join(folder.dir, kind), m.value);
          const v = versions.get(uri)! + 1;
          versions.set(uri, v);
          await timed('diagnostics of the base dvc.yaml', () => s.published(uri, HANG_MS, () => s.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ text }] })));
        }
        const version = versions.get(uri)! + (onDisk ? 0 : 1);
        versions.set(uri, version);
        const published = await timed<Published>(onDisk ? `diagnostics after ${kind} changed on disk` : 'diagnostics', () =>
          s.published(uri, HANG_MS, () =>
            onDisk
              ? s.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(folder, kind), type: 2 }] })
              : s.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] }),
          ),
        );
        if (published) checkRanges('diagnostic', published.diagnostics.flatMap((d) => [d.range, ...(d.relatedInformation ?? []).filter((ri) => ri.location.uri === uri).map((ri) => ri.location.range)]));

        const position = positionAt(text, offsetIn(text, r));
        const at = { textDocument: { uri }, position };
        type Edit = { range?: LspRange; insert?: LspRange; replace?: LspRange };
        const completion = await timed<{ textEdit?: Edit }[] | { items: { textEdit?: Edit }[] } | null>('completion', () => s.request('textDocument/completion', at, HANG_MS));
        const items = Array.isArray(completion) ? completion : (completion?.items ?? []);
        checkRanges('completion edit', items.flatMap((c) => [c.textEdit?.range, c.textEdit?.insert, c.textEdit?.replace]));
        const hover = await timed<{ range?: LspRange } | null>('hover', () => s.request('textDocument/hover', at, HANG_MS));
        checkRanges('hover', [hover?.range]);
        await timed('definition', () => s.request('textDocument/definition', at, HANG_MS));
        type Sym = { range: LspRange; selectionRange: LspRange; children?: Sym[] };
        const symbols = await timed<Sym[] | null>('document symbols', () => s.request('textDocument/documentSymbol', { textDocument: { uri } }, HANG_MS));
        const flat = (xs: Sym[]): LspRange[] => xs.flatMap((x) => [x.range, x.selectionRange, ...flat(x.children ?? [])]);
        checkRanges('symbol', flat(symbols ?? []));
        const lenses = await timed<{ range: LspRange }[] | null>('code lenses', () => s.request('textDocument/codeLens', { textDocument: { uri } }, HANG_MS));
        checkRanges('code lens', (lenses ?? []).map((l) => l.range));

        tally.count(kind);
        tally.outcome(kind, published?.diagnostics.length ? 'diagnosed' : 'clean');
        const rss = s.peakRssMb();
        if (!Number.isNaN(rss)) tally.maxRssMb = Math.max(tally.maxRssMb, rss);
        if (rss > RSS_LIMIT_MB) problems.push(`server RSS reached ${Math.round(rss)} MB`);
        if (s.exited) problems.push(s.exitReason ?? 'the server exited');
        for (const e of s.takeErrors()) problems.push(`a handler threw: ${e}`);
        if (onDisk) writeFileSync(path.join(folder.dir, kind), folder.files[kind]);

        if (problems.length) {
          const where = recordFailure({ kind, index, steps: [`${path.basename(folder.dir)}/${kind}: ${m.steps.join('; ')}`, `request position ${JSON.stringify(position)}`], reason: problems.join('\n') }, { [kind]: m.value });
          tally.failures.push(`${kind} #${index} (${m.steps.join('; ')}): ${problems.join('; ')}\n        input: ${where}`);
          // A server that died, hung or grew is not asked again: the next input gets a fresh one.
          if (s.exited || problems.some((p) => /no answer|RSS|exited|closed|disposed/.test(p))) await startServer();
        }
      }
    }
    tally.print('pipeline files', Date.now() - started);
    assert.deepEqual(tally.failures, [], `seed ${SEED}: replay with MLOPS_FUZZ_SEED=${SEED}`);
  });
});
