import { strict as assert } from 'node:assert';
import { globMatches, lowerIsBetter } from '../../../src/protocol/metricDirection';

describe('which way a metric improves', () => {
  it('matches globs over the whole name, case-insensitive, * across slashes', () => {
    assert.ok(globMatches('val_*', 'VAL_acc'));
    assert.ok(globMatches('train/*', 'train/epoch/loss'));
    assert.ok(globMatches('f?', 'f1'));
    assert.ok(!globMatches('f?', 'f12'));
    assert.ok(!globMatches('acc', 'val_acc'), 'not a substring match');
    // Regex characters in a metric name are literal.
    assert.ok(globMatches('top(1).acc', 'top(1).acc') && !globMatches('top(1).acc', 'top(1)xacc'));
  });
  it('guesses from the name without settings: losses and errors down, scores up', () => {
    assert.ok(lowerIsBetter('val_loss') && lowerIsBetter('RMSE') && lowerIsBetter('epoch_time'));
    assert.ok(!lowerIsBetter('accuracy') && !lowerIsBetter('f1') && !lowerIsBetter('auc'));
  });
  it('puts the settings before the guess, the more specific pattern first on a clash', () => {
    assert.equal(lowerIsBetter('time_saved', { lower: [], higher: ['time_saved'] }), false);
    assert.equal(lowerIsBetter('accuracy', { lower: ['acc*'], higher: [] }), true);
    // Everything down except accuracy-like names.
    const prefs = { lower: ['*'], higher: ['*acc*'] };
    assert.equal(lowerIsBetter('val_accuracy', prefs), false);
    assert.equal(lowerIsBetter('reward', prefs), true);
    // The same pattern in both lists: a tie, which goes to lower.
    assert.equal(lowerIsBetter('score', { lower: ['score'], higher: ['score'] }), true);
    // Blank patterns are ignored rather than matching only the empty name.
    assert.equal(lowerIsBetter('f1', { lower: ['  '], higher: [] }), false);
    // Unmatched: the guess.
    assert.equal(lowerIsBetter('val_loss', { lower: [], higher: ['acc'] }), true);
  });
});
