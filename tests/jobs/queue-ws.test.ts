/** Jobs over a real WebSocket with the fake generator in the real child process. */
import type { HelperMessageOf } from "../../shared/protocol.js";
import type { Helper } from "../../helper-service/server/helper.js";
import { baseRequest, startFakeHelper, stopHelper, TestClient } from "../server/support.js";

let helper: Helper;
beforeAll(async () => {
  helper = await startFakeHelper();
});
afterAll(async () => {
  await stopHelper(helper);
});

test("a job runs to done with ordered progress", async () => {
  const client = await TestClient.authed(helper);
  client.send({ type: "generate", requestId: "r1", clientJobId: "c1", request: baseRequest({ prompt: "harbour #steps:4" }) });
  const accepted = await client.waitFor<HelperMessageOf<"job.accepted">>((m) => m.type === "job.accepted");
  const done = await client.waitFor<HelperMessageOf<"job.done">>((m) => m.type === "job.done" && m.jobId === accepted.jobId);
  const types = client.jobEvents(accepted.jobId).map((m) => m.type);
  expect(types[0]).toBe("job.accepted");
  expect(types[1]).toBe("job.queued");
  expect(types[2]).toBe("job.started");
  expect(types.at(-1)).toBe("job.done");
  expect(done.output.path).toContain("harbour");
  expect(client.binary.length).toBeGreaterThan(0);
  client.close();
});
