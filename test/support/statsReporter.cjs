// Mocha's spec reporter, plus the run's counts appended to the file named by
// MLOPS_TEST_STATS, so scripts/test.mjs can print one closing summary for all tiers.
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

class StatsReporter extends Mocha.reporters.Spec {
  /**
   * @param {import('mocha').Runner} runner
   * @param {import('mocha').MochaOptions} [options]
   */
  constructor(runner, options) {
    super(runner, options);
    const tier = process.env.MLOPS_TEST_TIER || 'tests';
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.MLOPS_TEST_STATS;
      if (!file) return;
      // Mocha has counted the run by its end.
      const { passes, failures, pending } = /** @type {import('mocha').Stats} */ (runner.stats);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.appendFileSync(file, JSON.stringify({ tier, passes, failures, pending }) + '\n');
    });
  }
}

module.exports = StatsReporter;
