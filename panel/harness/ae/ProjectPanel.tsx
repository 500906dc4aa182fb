// After Effects' Project panel in miniature: folders with their items and each item's comment (where Tessera
// writes the generation summary).
import type { SimAfterEffects } from "../../host/aftereffects/simulated/app.js";
import { FolderItem, type Item } from "../../host/aftereffects/simulated/items.js";
import { useSim, type SimWatcher } from "./watch.js";

function Entry({ item }: { item: Item }) {
  if (item instanceof FolderItem) {
    return (
      <li className="ae-project__folder">
        <span className="ae-project__name">{item.name}</span>
        <ul aria-label={item.name}>
          {item.children.map((child) => (
            <Entry key={child.id} item={child} />
          ))}
        </ul>
      </li>
    );
  }
  return (
    <li className="ae-project__item">
      <span className="ae-project__name">{item.name}</span>
      <span className="ae-project__type">{item.typeName}</span>
      {item.comment ? <span className="ae-project__comment">{item.comment}</span> : null}
    </li>
  );
}

export function ProjectPanel({ ae, watcher }: { ae: SimAfterEffects; watcher: SimWatcher }) {
  useSim(watcher);
  return (
    <section className="ae-project" aria-label="Project">
      <ul aria-label="Project items">
        {ae.project.rootFolder.children.map((item) => (
          <Entry key={item.id} item={item} />
        ))}
      </ul>
    </section>
  );
}
