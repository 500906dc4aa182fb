/** `tessera --version`: the helper's version, the panel protocol it speaks and the Node it runs on, for bug reports and updates. */
import { PROTOCOL_VERSION } from "../../shared/protocol.js";
import { tessera } from "./support.js";

test("--version names the helper, its panel protocol and its Node", async () => {
  const result = await tessera(["--version"]);
  expect(result.code).toBe(0);
  expect(result.stdout).toBe(`tessera 0.1.0 · panel protocol ${PROTOCOL_VERSION} · Node ${process.versions.node}\n`);
});
