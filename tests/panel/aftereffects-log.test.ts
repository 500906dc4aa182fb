// Settings > Export log in After Effects: the panel has no Node.js, so host.jsx shows After Effects' save dialog
// (File.saveDlg) and writes the file; the simulated After Effects keeps what was written and how.
import { exportPanelLog, PanelLog } from "../../panel/model/panel-log.js";
import type { PanelState } from "../../panel/model/panel-model.js";
import { SimFile } from "../../panel/host/aftereffects/simulated/items.js";
import { afterEffects } from "./fakes/after-effects.js";

const LOG = "2026-12-06T20:00:00.000Z host   error: the layer \"Plan B – réunion\" is locked\nline two\n";

describe("AfterEffectsHost saves the panel log through After Effects", () => {
  test("the save dialog starts on the desktop with the name suggested; the text is written as UTF-8, whole", async () => {
    const asked: string[] = [];
    const fx = afterEffects({ desktop: "C:\\Users\\Ed\\Desktop", saveDialog: (suggested) => (asked.push(suggested), "D:/Logs/tessera.log") });
    expect(await fx.host.saveLog("tessera-panel-1.log", LOG)).toBe("D:/Logs/tessera.log");
    expect(asked).toEqual(["C:\\Users\\Ed\\Desktop/tessera-panel-1.log"]);
    expect(fx.ae.disk.written.get("D:/Logs/tessera.log")).toEqual({ text: LOG, encoding: "UTF-8" });
  });

  test("a name with folder parts cannot lead the dialog out of the desktop", async () => {
    const asked: string[] = [];
    const fx = afterEffects({ saveDialog: (suggested) => (asked.push(suggested), null) });
    await fx.host.saveLog("../../etc/passwd", "x");
    expect(asked).toEqual(["/Users/editor/Desktop/..-..-etc-passwd"]);
  });

  test("Cancel in the dialog: nothing is written and the panel says nothing", async () => {
    const fx = afterEffects({ saveDialog: () => null });
    expect(await fx.host.saveLog("tessera-panel-2.log", LOG)).toBeNull();
    expect(fx.ae.disk.written.size).toBe(0);
  });

  test("a folder that cannot be written: a sentence with the path and what to do, nothing left behind", async () => {
    const fx = afterEffects({ saveDialog: () => "/Volumes/ReadOnly/tessera.log", canWrite: (path) => !path.startsWith("/Volumes/ReadOnly/") });
    await expect(fx.host.saveLog("tessera-panel-3.log", LOG)).rejects.toMatchObject({
      code: "write-failed",
      message: "Tessera could not write /Volumes/ReadOnly/tessera.log (Permission denied). Choose a folder you can write to, such as the desktop.",
    });
    expect(fx.ae.disk.written.size).toBe(0);
  });

  test("a write that fails halfway (a full disk) takes the file out again", async () => {
    const fx = afterEffects();
    const write = jest.spyOn(SimFile.prototype, "write").mockImplementation(function (this: SimFile) {
      this.error = "Disk full";
      return false;
    });
    try {
      await expect(fx.host.saveLog("tessera-panel-4.log", LOG)).rejects.toThrow("(Disk full). Check there is space on the disk and save again.");
    } finally {
      write.mockRestore();
    }
    expect(fx.ae.disk.written.size).toBe(0);
  });

  test("Export log in the panel names where After Effects saved it", async () => {
    const fx = afterEffects();
    const log = new PanelLog();
    log.add("host", "import /out/a.mp4");
    const state = { helperVersion: "1.0.0", device: "cpu", connection: { kind: "connected" }, host: { project: null, sequence: null } } as unknown as PanelState;
    const message = await exportPanelLog(fx.host, log, state, new Date(Date.UTC(2026, 11, 6, 21, 0, 0)));
    const path = "/Users/editor/Desktop/tessera-panel-2026-12-06T21-00-00-000Z.log";
    expect(message).toEqual({ tone: "info", text: `Log saved to ${path}. Send it with the output of \`tessera doctor\`.` });
    const saved = fx.ae.disk.written.get(path)?.text ?? "";
    expect(saved).toMatch(/^Tessera panel .* in After Effects\n/);
    expect(saved).toMatch(/; comp none\n/);
    expect(saved).toContain("host   import /out/a.mp4");
  });
});
