// Ends the run with one plain line, "jest: N passed, N failed, N skipped", that any CI log reader understands.
// A test file that could not run at all counts as one failure, so the line never hides a broken file.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`\njest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
module.exports = SummaryReporter;
