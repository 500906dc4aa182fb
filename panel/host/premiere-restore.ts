// What a failed edit may have changed on the imported item (its XMP and In/Out), read before the edit and put back
// after it. Whether Premiere rolls a partly applied transaction back is not documented, so the host does not count on it.
import type { premierepro, Project, ProjectItem, TickTime } from "@adobe/premierepro";

export interface ItemState {
  xmp: string;
  /** Null where Premiere would not say: the In/Out is cleared then. */
  inPoint: TickTime | null;
  outPoint: TickTime | null;
}

export async function readItemState(ppro: premierepro, item: ProjectItem): Promise<ItemState> {
  const clip = ppro.ClipProjectItem.cast(item);
  const VIDEO = ppro.Constants.MediaType.VIDEO;
  const [xmp, inPoint, outPoint] = await Promise.all([
    ppro.Metadata.getXMPMetadata(item),
    clip.getInPoint(VIDEO).catch(() => null),
    clip.getOutPoint(VIDEO).catch(() => null),
  ]);
  return { xmp, inPoint, outPoint };
}

/** Puts `before` back where the item differs from it now, as its own labelled step; best effort, never throws. */
export async function restoreItem(ppro: premierepro, project: Project, item: ProjectItem, before: ItemState, label: string): Promise<void> {
  try {
    const now = await readItemState(ppro, item);
    const { inPoint, outPoint } = before;
    const sameRange = inPoint && outPoint && now.inPoint?.ticks === inPoint.ticks && now.outPoint?.ticks === outPoint.ticks;
    if (now.xmp === before.xmp && sameRange) return;
    const clip = ppro.ClipProjectItem.cast(item);
    project.lockedAccess(() => {
      project.executeTransaction((compound) => {
        compound.addAction(ppro.Metadata.createSetXMPMetadataAction(item, before.xmp));
        compound.addAction(inPoint && outPoint ? clip.createSetInOutPointsAction(inPoint, outPoint) : clip.createClearInOutPointsAction());
      }, `${label}: restore ${item.name}`);
    });
  } catch {
    // the error the caller throws next is what the user needs to see
  }
}
