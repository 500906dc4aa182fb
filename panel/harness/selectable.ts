// What makes a harness timeline item selectable as in an editor: a click, or Enter/Space when it has the focus;
// Shift (or Cmd/Ctrl) adds it to the selection. Premiere's clips and After Effects' layer rows share it.
import type { KeyboardEvent, MouseEvent } from "react";

export function selectable(select: (add: boolean) => void) {
  const choose = (e: MouseEvent | KeyboardEvent) => select(e.shiftKey || e.metaKey || e.ctrlKey);
  return {
    tabIndex: 0,
    onClick: choose,
    onKeyDown: (e: KeyboardEvent) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        choose(e);
      }
    },
  };
}
