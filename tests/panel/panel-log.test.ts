import type { EditorHost } from "../../panel/host/editor-host.js";
import { exportPanelLog, PanelLog } from "../../panel/model/panel-log.js";
import type { PanelState } from "../../panel/model/panel-model.js";

const state = { helperVersion: null, device: null, connection: { kind: "searching" }, host: { project: null, sequence: null } } as unknown as PanelState;

describe("the panel log", () => {
  test("keeps only the most recent lines, oldest first, one line per entry", () => {
    let t = 0;
    const log = new PanelLog(3, () => new Date(Date.UTC(2026, 11, 6, 20, 0, t++)));
    for (const text of ["one", "two\nlines", "three", "four"]) log.add("client", text);
    expect(log.text(["head"]).split("\n")).toEqual([
      "head",
      "",
      "2026-12-06T20:00:01.000Z client two lines",
      "2026-12-06T20:00:02.000Z client three",
      "2026-12-06T20:00:03.000Z client four",
      "",
    ]);
  });

  test("a host without file saving, a cancelled save and a failing save each get their answer", async () => {
    const log = new PanelLog();
    const base = { name: "Test host" } as EditorHost;
    expect(await exportPanelLog(base, log, state)).toEqual({ tone: "error", text: "Test host cannot save files from the panel." });
    expect(await exportPanelLog({ ...base, saveLog: async () => null }, log, state)).toBeNull();
    const failing = { ...base, saveLog: async () => Promise.reject(new Error("disk full")) };
    expect(await exportPanelLog(failing, log, state)).toEqual({ tone: "error", text: "The log could not be saved: disk full" });
  });
});
