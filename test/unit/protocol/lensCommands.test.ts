import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { pipelineCodeLenses } from '../../../src/core/pipelines/languageService';
import { parseLensArgs } from '../../../src/protocol/lensCommands';
import { toCodeLens } from '../../../src/server/lspMapping';
import { EXAMPLES } from '../pipelines/helpers';

// Both ends of the code-lens contract: what the server puts on the example project's
// pipeline files is what the extension's check accepts, and each command is contributed.
describe('code-lens commands (server → extension)', () => {
  const contributed = new Set<string>(
    JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')).contributes.commands.map((c: { command: string }) => c.command),
  );

  for (const file of ['dvc.yaml', 'MLproject']) {
    it(`sends checked [uri, name] arguments from ${file}`, () => {
      const uri = pathToFileURL(path.join(EXAMPLES, file)).toString();
      const lenses = pipelineCodeLenses(uri, readFileSync(path.join(EXAMPLES, file), 'utf8')).map((l) => toCodeLens(l, uri));
      assert.ok(lenses.length >= 2, `${file} has lenses`);
      for (const lens of lenses) {
        const { command, arguments: args = [] } = lens.command!;
        assert.ok(contributed.has(command), `${command} is in package.json contributes.commands`);
        const parsed = parseLensArgs(args);
        assert.ok(parsed, `${command} ${JSON.stringify(args)}`);
        assert.equal(parsed[0], uri);
      }
    });
  }

  it('refuses what a lens would not send', () => {
    assert.deepEqual(parseLensArgs(['file:///p/dvc.yaml', 'train', { host: 'h' }]), ['file:///p/dvc.yaml', 'train'], 'trailing arguments are the caller’s');
    assert.deepEqual(parseLensArgs(['vscode-remote://ssh-remote+box/p/MLproject', 'main']), ['vscode-remote://ssh-remote+box/p/MLproject', 'main']);
    for (const bad of [[], ['file:///p/dvc.yaml'], ['file:///p/dvc.yaml', ''], ['file:///p/dvc.yaml', 42], ['/p/dvc.yaml', 'train'], [{ path: '/p' }, 'train'], [null, 'train']]) {
      assert.equal(parseLensArgs(bad), undefined, JSON.stringify(bad));
    }
  });
});
