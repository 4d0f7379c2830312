import { strict as assert } from 'node:assert';
import { checkDvcByStage } from '../../../src/core/pipelines/dvcStageCache';
import { validatePipelineFile } from '../../../src/core/pipelines/languageService';
import { memoryFs } from '../../../src/core/pipelines/pipelineFs';

// The stage-by-stage validation of a large dvc.yaml (cached per stage text, reused across
// edits, moved when an edit above moves it) must answer exactly what a whole validation of
// the same text answers: the same diagnostics, ranges, messages and order. Seeded random
// edits, so a failure replays.

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STAGES = 320;

function stageText(i: number, extra = ''): string {
  if (i % 40 === 7) {
    return [`  loop_${i}:`, '    foreach: [a, b]', '    do:', `      cmd: python src/s${i}.py \${item} \${base}`, '      outs:', `        - out/${i}-\${item}.csv`, extra].filter(Boolean).join('\n') + '\n';
  }
  return (
    [
      `  stage_${i}:`,
      `    desc: Stage number ${i}`,
      `    cmd: python src/s${i}.py --lr \${p.s${i % 50}.lr}`,
      '    deps:',
      `      - src/s${i}.py`,
      ...(i > 0 ? [`      - out/${i - 1}.csv`] : []),
      '    params:',
      `      - p.s${i % 50}.lr`,
      '    outs:',
      `      - out/${i}.csv`,
      extra,
    ]
      .filter(Boolean)
      .join('\n') + '\n'
  );
}

function paramsYaml(drop: number | undefined): string {
  const lines = ['p:'];
  for (let i = 0; i < 50; i++) if (i !== drop) lines.push(`  s${i}:`, `    lr: 0.${i}`);
  return lines.join('\n') + '\n';
}

function files(params: string) {
  const f: Record<string, string> = { 'params.yaml': params };
  for (let i = 0; i < STAGES; i += 2) f[`src/s${i}.py`] = '';
  return memoryFs(f);
}

/** The offsets where stage entries start (lines indented by two spaces, then a name). */
function stageStarts(text: string): number[] {
  const starts: number[] = [];
  const re = /^ {2}[^ #\n][^\n]*:\n/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) starts.push(m.index);
  return starts;
}

describe('dvc.yaml validation stage by stage (dvcStageCache)', function () {
  this.timeout(300_000);

  it('answers what a whole validation answers, through random edits', () => {
    const rnd = mulberry32(21);
    const pick = (n: number) => Math.floor(rnd() * n);
    const head = '# generated\nvars:\n  - base: data\n\nstages:\n';
    let text = head + Array.from({ length: STAGES }, (_, i) => stageText(i)).join('') + 'plots:\n  - out/0.csv\n';
    let params = paramsYaml(undefined);
    let byStage = 0;
    let broken = false;

    for (let step = 0; step < 70; step++) {
      const starts = stageStarts(text);
      const s = pick(starts.length);
      const at = starts[s];
      const end = s + 1 < starts.length ? starts[s + 1] : text.indexOf('\nplots:') + 1 || text.length;
      const lineEnd = (from: number) => text.indexOf('\n', from) + 1;
      // A break is mended at the next step (as the user goes on typing), so that most steps
      // are of a file the stage-by-stage path takes.
      const kind: number = broken ? -1 : pick(12);
      broken = kind === 4;
      switch (kind) {
        case -1:
          text = text.replace(/ {4}bad: \[1, 2\n| {3}cmd: x\n/, '');
          break;
        case 0: // retype a line inside a stage (moves every later stage)
          text = text.slice(0, lineEnd(at)) + `    desc: edited ${step} ${'x'.repeat(pick(5))}\n` + text.slice(lineEnd(lineEnd(at)));
          break;
        case 1: // add a stage, sometimes with an output another stage has
          text = text.slice(0, at) + stageText(1000 + step, rnd() < 0.5 ? `      - out/${pick(STAGES)}.csv` : '') + text.slice(at);
          break;
        case 2: // remove a stage
          text = text.slice(0, at) + text.slice(end);
          break;
        case 3: // rename a stage, sometimes to a name already taken
          text = text.slice(0, at) + `  ${rnd() < 0.4 ? `stage_${pick(STAGES)}` : `renamed_${step}`}:` + text.slice(text.indexOf(':', at) + 1);
          break;
        case 4: // break the YAML (an unclosed flow sequence, a bad indentation)
          text = text.slice(0, lineEnd(at)) + (rnd() < 0.5 ? '    bad: [1, 2\n' : '   cmd: x\n') + text.slice(lineEnd(at));
          break;
        case 5: // params.yaml changes: a key goes or comes back
          params = paramsYaml(rnd() < 0.7 ? pick(50) : undefined);
          break;
        case 6: // a dep on a later stage's output: a cycle
          text = text.slice(0, lineEnd(at)) + `    always_changed: true\n    meta: {dep: x}\n` + text.slice(lineEnd(at));
          {
            const j = pick(STAGES);
            text = text.replace(`      - src/s${j}.py\n`, `      - out/${j + 2}.csv\n`);
          }
          break;
        case 7: // an undefined reference
          text = text.slice(0, lineEnd(at)) + `    wdir: \${nowhere_${step}}\n` + text.slice(lineEnd(at));
          break;
        case 8: // an unknown stage key, a duplicate key inside a stage
          text = text.slice(0, lineEnd(at)) + (rnd() < 0.5 ? '    cmdd: typo\n' : '    desc: twice\n    desc: again\n') + text.slice(lineEnd(at));
          break;
        case 9: // a stage-level vars file that does not exist
          text = text.slice(0, lineEnd(at)) + `    vars:\n      - missing_${step}.yaml\n` + text.slice(lineEnd(at));
          break;
        case 10: // undo: the same stage text as before, at another offset
          text = text.replace(/ {4}(cmdd: typo|wdir: \$\{nowhere_\d+\})\n/, '');
          break;
        default: // an edit that changes nothing the checks read
          text = text.slice(0, at) + '# a comment\n' + text.slice(at);
      }
      const fs = () => files(params);
      if (checkDvcByStage(text, fs())) byStage++;
      const got = validatePipelineFile('dvc.yaml', text, fs());
      const want = validatePipelineFile('dvc.yaml', text, fs(), undefined, false);
      assert.deepEqual(got, want, `step ${step} (edit kind ${kind})`);
    }
    // Most steps must have taken the stage-by-stage path, or this compared the whole path with itself.
    assert.ok(byStage >= 40, `only ${byStage} of 70 steps were checked stage by stage`);
  });
});
