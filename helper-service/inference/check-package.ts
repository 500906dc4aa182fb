/**
 * `npm run model:check -- DIR [DIR...]`: runs the model package contract checker on package folders and prints
 * every problem; exits 1 when any package fails.
 */
import { checkPackage, formatReport } from "./checker.js";

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  process.stderr.write("usage: npm run model:check -- PACKAGE_DIR [PACKAGE_DIR...]\n");
  process.exit(2);
}
let failed = false;
for (const dir of dirs) {
  const report = await checkPackage(dir);
  failed ||= !report.ok;
  process.stdout.write(`${formatReport(dir, report)}\n`);
}
process.exit(failed ? 1 : 0);
