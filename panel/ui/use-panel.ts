import { useSyncExternalStore } from "react";
import type { PanelModel, PanelState } from "../model/panel-model.js";

export function usePanelState(model: PanelModel): PanelState {
  return useSyncExternalStore(model.subscribe, model.getState, model.getState);
}
