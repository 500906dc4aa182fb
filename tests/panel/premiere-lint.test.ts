// The Premiere API lint rules (eslint.premierepro.js) catch the mistakes Premiere punishes at run time.
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { premiereproConfig } from "../../eslint.premierepro.js";

async function lint(code: string): Promise<string[]> {
  const eslint = new ESLint({
    overrideConfigFile: true,
    overrideConfig: [{ files: ["**/*.ts"], languageOptions: { parser: tseslint.parser } }, premiereproConfig(["**/*.ts"])],
  });
  const [result] = await eslint.lintText(code, { filePath: "panel/host/premiere-sample.ts" });
  return (result?.messages ?? []).map((m) => m.message.split(":")[0]!);
}

describe("Premiere API lint rules", () => {
  test("an escaped selection, an action made outside the lock, an await inside it and a nameless undo step are errors", async () => {
    const messages = await lint(`
      let selection = null;
      ppro.TrackItemSelection.createEmptySelection((empty) => { selection = empty; });
      const action = editor.createRemoveItemsAction(selection, false, 2);
      project.lockedAccess(async () => {
        await item.getName();
        project.executeTransaction((compound) => compound.addAction(action));
      });
      other.addAction(action);
      project.executeTransaction((compound) => compound.addAction(editor.createOverwriteItemAction(item, at, 0, 0)), "Tessera: B-roll");
    `);
    expect(messages.sort()).toEqual(
      [
        "no-empty-selection-escape",
        "require-action-lock-scope",
        "no-async-in-locked-access / no-async-in-execute-transaction / no-async-in-empty-selection",
        "no-async-in-locked-access / no-async-in-execute-transaction / no-async-in-empty-selection",
        "prefer-undo-string",
        "prefer-locked-access-wrapper",
        "require-execute-transaction",
      ].sort(),
    );
  });

  test("the pattern the host uses passes", async () => {
    const messages = await lint(`
      project.lockedAccess(() => {
        project.executeTransaction((compound) => {
          ppro.TrackItemSelection.createEmptySelection((selection) => {
            for (const target of removals) selection.addItem(target, true);
            compound.addAction(editor.createRemoveItemsAction(selection, false, VIDEO));
          });
          compound.addAction(editor.createOverwriteItemAction(item, at, 1, 0));
        }, "Tessera: Replace");
      });
    `);
    expect(messages).toEqual([]);
  });
});
