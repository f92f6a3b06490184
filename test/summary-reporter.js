// Spec output plus the plain closing line CI reads: "N passed, N failed".
import Mocha from 'mocha';

const { EVENT_RUN_END } = Mocha.Runner.constants;

export default class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      // Printed after Spec's epilogue so it is the last line of the run.
      setImmediate(() => {
        process.stdout.write(`${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}\n`);
      });
    });
  }
}
