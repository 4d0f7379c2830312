import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  completePipelineFile,
  hoverPipelineFile,
  pipelineCodeLenses,
  pipelineDefinition,
  pipelineSymbols,
  validatePipelineFile,
} from '../../../src/core/pipelines/languageService';
import { memoryFs } from '../../../src/core/pipelines/pipelineFs';
import { examplesFs, exampleDvcYaml } from './helpers';

// The server must answer whatever half-typed text arrives. 10,000 seeded (so a failure
// replays exactly) random mutations of real files go through every service entry point.

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  '${', '}', '${item', '${key}', '${item.x.y}', '{', '{alpha}', ':', ': ', '- ', '-', '[', ']', '{}', '"', "'", '#', '&a ', '*a', '<<: *a',
  '|', '>', '\t', '\n', '  ', 'foreach: ', 'do:', 'matrix:', 'cmd: ', 'deps:', 'outs:', 'params:', 'vars:', 'wdir: ..', 'stages:',
  'entry_points:', 'parameters:', 'type: int', 'default: x', '~', 'null', 'true', '0x1F', '1e400', '../../etc', 'a/b', '@', '?', '!!map', '%YAML 1.2\n---\n',
];

function mutate(text: string, rnd: () => number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const at = Math.floor(rnd() * (text.length + 1));
  switch (Math.floor(rnd() * 6)) {
    case 0: // delete characters
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 8));
    case 1: {
      // swap two lines
      const lines = text.split('\n');
      const i = Math.floor(rnd() * lines.length);
      const j = Math.floor(rnd() * lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return lines.join('\n');
    }
    case 2: {
      // break the indentation of a line
      const lines = text.split('\n');
      const i = Math.floor(rnd() * lines.length);
      lines[i] = rnd() < 0.5 ? lines[i].replace(/^ {1,3}/, '') : ' '.repeat(1 + Math.floor(rnd() * 5)) + lines[i];
      return lines.join('\n');
    }
    case 3: // insert a random key with a value
      return text.slice(0, at) + `\n${' '.repeat(Math.floor(rnd() * 8))}${pick(TOKENS).trim() || 'k'}x${Math.floor(rnd() * 9)}: ${pick(TOKENS)}\n` + text.slice(at);
    case 4: // insert a token
      return text.slice(0, at) + pick(TOKENS) + text.slice(at);
    default: // duplicate a chunk (duplicate keys, repeated stages)
      return text.slice(0, at) + text.slice(Math.max(0, at - 60), at) + text.slice(at);
  }
}

describe('language service fuzz', function () {
  // 10,000 files × six entry points: about a minute on a loaded 2-core CI machine.
  this.timeout(180000);
  const fixtures = path.join(__dirname, 'fixtures');
  const templatedFs = memoryFs({
    'params.yaml': 'prepare:\n  seed: 1\n',
    'config.yaml': 'model:\n  depth: 3\n',
    'src/prepare.py': '',
    'src/train.py': '',
    'dvc.lock': "schema: '2.0'\nstages:\n  prepare:\n    deps:\n    - path: src/prepare.py\n      md5: ab\n      size: 1\n",
  });
  const seeds = [
    { name: 'dvc.yaml', text: exampleDvcYaml(), fs: examplesFs() },
    { name: 'dvc.yaml', text: readFileSync(path.join(fixtures, 'templated.dvc.yaml'), 'utf8'), fs: templatedFs },
    { name: 'MLproject', text: readFileSync(path.join(fixtures, 'MLproject'), 'utf8'), fs: memoryFs({ 'python_env.yaml': '' }) },
  ];

  it('answers 10,000 mutated files on every entry point without throwing', () => {
    const rnd = mulberry32(20240607);
    let answered = 0;
    for (let i = 0; i < 10000; i++) {
      const seed = seeds[i % seeds.length];
      let text = seed.text;
      const n = 1 + Math.floor(rnd() * 4);
      for (let m = 0; m < n; m++) text = mutate(text, rnd);
      const offset = Math.floor(rnd() * (text.length + 1));
      try {
        validatePipelineFile(seed.name, text, seed.fs);
        completePipelineFile(seed.name, text, offset, seed.fs);
        hoverPipelineFile(seed.name, text, offset, seed.fs);
        pipelineDefinition(seed.name, text, offset, seed.fs);
        pipelineSymbols(seed.name, text);
        pipelineCodeLenses(seed.name, text);
        answered++;
      } catch (err) {
        assert.fail(`iteration ${i} (${seed.name}, offset ${offset}) threw ${(err as Error).stack}\n--- text ---\n${text}`);
      }
    }
    assert.equal(answered, 10000);
  });
});
