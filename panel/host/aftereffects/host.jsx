// Tessera inside After Effects: the ExtendScript half of the panel's JSON bridge (panel/host/aftereffects/bridge.ts).
// CEP loads this file into After Effects' ExtendScript engine (manifest ScriptPath); the panel calls
//   tesseraCall("readState", {...})
// through CSInterface.evalScript and always gets one JSON text back:
//   {"ok":true,"value":...}  or  {"ok":false,"error":{"code":"...","message":"...","line":N}}
// so an After Effects exception reaches the panel as a sentence instead of CEP's bare "EvalScript error.".
//
// ExtendScript is ES3: var and function only, no JSON object, no Array.prototype.indexOf, no trailing commas, no
// reserved words as property names. tests/panel/aftereffects-jsx.test.ts parses this file as ES3 and runs it against
// the simulated After Effects object model.
//
// Every edit is one undo group, closed in a finally block so a failure never leaves After Effects inside an open
// group; what an edit changed before failing is put back first (layers added are removed, trims restored), and the
// one step that cannot be put back (removing a layer) runs last.

var tesseraCall = (function () {
  function Failure(code, message) {
    this.code = code;
    this.message = message;
  }

  function fail(code, message) {
    throw new Failure(code, message);
  }

  // -- JSON out (ExtendScript has no JSON object) ---------------------------------------------------------------

  function quote(text) {
    var out = '"';
    var i;
    var c;
    var code;
    for (i = 0; i < text.length; i++) {
      c = text.charAt(i);
      code = text.charCodeAt(i);
      if (c === '"' || c === "\\") {
        out += "\\" + c;
      } else if (code < 32 || code > 126) {
        // \u escapes keep the reply plain ASCII whatever the file names hold
        out += "\\u" + ("0000" + code.toString(16)).slice(-4);
      } else {
        out += c;
      }
    }
    return out + '"';
  }

  function encode(value) {
    var parts = [];
    var key;
    var i;
    if (value === null || value === undefined) return "null";
    if (typeof value === "string") return quote(value);
    if (typeof value === "number") return isFinite(value) ? String(value) : "null";
    if (typeof value === "boolean") return value ? "true" : "false";
    if (value instanceof Array) {
      for (i = 0; i < value.length; i++) parts.push(encode(value[i]));
      return "[" + parts.join(",") + "]";
    }
    for (key in value) {
      if (value.hasOwnProperty(key)) parts.push(quote(key) + ":" + encode(value[key]));
    }
    return "{" + parts.join(",") + "}";
  }

  // -- reading ---------------------------------------------------------------------------------------------------

  function sourceOf(layer) {
    var source = layer.source;
    if (!source) return null;
    if (source instanceof CompItem) return { id: source.id, kind: "comp", name: source.name, path: null, frameRate: source.frameRate, missing: false };
    if (!(source instanceof FootageItem)) return null;
    var main = source.mainSource;
    if (main instanceof SolidSource) return { id: source.id, kind: "solid", name: source.name, path: null, frameRate: 0, missing: false };
    if (main instanceof PlaceholderSource) return { id: source.id, kind: "placeholder", name: source.name, path: null, frameRate: 0, missing: true };
    return {
      id: source.id,
      kind: main.isStill ? "still" : "file",
      name: source.name,
      path: source.file ? source.file.fsName : null,
      frameRate: source.frameRate,
      missing: source.footageMissing === true
    };
  }

  // The source time shown at the layer's in and out points: the Time Remap curve where it is on, else the stretch
  // (negative for a reversed layer, so the out point shows the earlier frame).
  function sourceRange(layer, isAv) {
    if (isAv && layer.timeRemapEnabled) {
      var remap = layer.property("ADBE Time Remapping");
      return [remap.valueAtTime(layer.inPoint, false), remap.valueAtTime(layer.outPoint, false)];
    }
    var rate = isAv && layer.stretch !== 0 ? 100 / layer.stretch : 1;
    return [(layer.inPoint - layer.startTime) * rate, (layer.outPoint - layer.startTime) * rate];
  }

  function describeLayer(layer) {
    var isAv = layer instanceof AVLayer;
    var range = sourceRange(layer, isAv);
    return {
      id: layer.id,
      index: layer.index,
      name: layer.name,
      startTime: layer.startTime,
      inPoint: layer.inPoint,
      outPoint: layer.outPoint,
      sourceIn: range[0],
      sourceOut: range[1],
      stretch: isAv ? layer.stretch : 100,
      timeRemap: isAv ? layer.timeRemapEnabled === true : false,
      selected: layer.selected === true,
      locked: layer.locked === true,
      video: isAv ? layer.hasVideo === true : false,
      source: isAv ? sourceOf(layer) : null
    };
  }

  function describeComp(comp) {
    var layers = [];
    var i;
    for (i = 1; i <= comp.numLayers; i++) layers.push(describeLayer(comp.layer(i)));
    return {
      id: comp.id,
      name: comp.name,
      frameRate: comp.frameRate,
      dropFrame: comp.dropFrame === true,
      width: comp.width,
      height: comp.height,
      time: comp.time,
      duration: comp.duration,
      workAreaStart: comp.workAreaStart,
      workAreaDuration: comp.workAreaDuration,
      layers: layers
    };
  }

  function itemWithId(id) {
    try {
      return app.project.itemByID(id);
    } catch (gone) {
      return null;
    }
  }

  // Clicking the Project panel (or a panel like this one) makes activeItem the selected project item; the editor
  // still means the comp they were working in, so the last active comp of this project stands in.
  var lastComp = null;

  function workingComp(project, path) {
    var active = project.activeItem;
    if (active instanceof CompItem) {
      lastComp = { path: path, id: active.id };
      return active;
    }
    if (!lastComp || lastComp.path !== path) return null;
    var last = itemWithId(lastComp.id);
    return last instanceof CompItem ? last : null;
  }

  function readState() {
    var project = app.project;
    if (!project) return { project: null, comp: null };
    var file = project.file;
    var comp = workingComp(project, file ? file.fsName : "");
    return {
      // File.name is URI-encoded in ExtendScript ("My%20Spot.aep"); displayName is the name as shown
      project: { name: file ? file.displayName : "Untitled Project.aep", path: file ? file.fsName : null },
      comp: comp ? describeComp(comp) : null
    };
  }

  // A few native reads that change whenever what the panel shows would: the panel polls this, and reads the whole
  // comp (readState, one read per layer property) only when it changes.
  function readStamp() {
    var project = app.project;
    if (!project) return "no project";
    var path = project.file ? project.file.fsName : "";
    var comp = workingComp(project, path);
    if (!comp) return path + "|no comp";
    var parts = [path, comp.id, comp.name, comp.time, comp.numLayers, comp.workAreaStart, comp.workAreaDuration, comp.frameRate, comp.width, comp.height];
    var selected = comp.selectedLayers;
    var i;
    for (i = 0; i < selected.length; i++) parts.push(selected[i].id + ":" + selected[i].inPoint + ":" + selected[i].outPoint);
    return parts.join("|");
  }

  // -- importing -------------------------------------------------------------------------------------------------

  function samePath(a, b) {
    var norm = function (p) {
      return String(p).replace(/[\\\/]+/g, "/").replace(/\/$/, "").toLowerCase();
    };
    return norm(a) === norm(b);
  }

  function folderNamed(name) {
    var root = app.project.rootFolder;
    var i;
    var item;
    for (i = 1; i <= root.numItems; i++) {
      item = root.item(i);
      if (item instanceof FolderItem && item.name === name) return item;
    }
    return null;
  }

  function footageIn(folder, path) {
    var i;
    var item;
    for (i = 1; i <= folder.numItems; i++) {
      item = folder.item(i);
      if (item instanceof FootageItem && item.file && samePath(item.file.fsName, path)) return item;
    }
    return null;
  }

  function describeFootage(item) {
    return { id: item.id, name: item.name, path: item.file ? item.file.fsName : "" };
  }

  function importFootage(args) {
    var folder = folderNamed(args.folder);
    var found = folder ? footageIn(folder, args.path) : null;
    if (found) return describeFootage(found);
    var file = new File(args.path);
    if (!file.exists) fail("missing-file", "After Effects cannot find " + args.path + ". Check the helper's output folder is reachable from this machine.");
    var item;
    var madeFolder = null;
    app.beginUndoGroup("Tessera: import " + file.displayName);
    try {
      if (!folder) folder = madeFolder = app.project.items.addFolder(args.folder);
      item = app.project.importFile(new ImportOptions(file));
      item.parentFolder = folder;
    } catch (error) {
      if (item) item.remove();
      if (madeFolder) madeFolder.remove();
      throw error;
    } finally {
      app.endUndoGroup();
    }
    return describeFootage(item);
  }

  // -- editing ---------------------------------------------------------------------------------------------------

  function layerById(comp, id) {
    var i;
    for (i = 1; i <= comp.numLayers; i++) {
      if (comp.layer(i).id === id) return comp.layer(i);
    }
    return null;
  }

  function compById(id) {
    var item = itemWithId(id);
    if (!(item instanceof CompItem)) fail("comp-gone", "The composition Tessera was placing into is no longer in the project.");
    return item;
  }

  function checkUnchanged(comp, expected) {
    var i;
    var same = comp.numLayers === expected.length;
    for (i = 0; same && i < expected.length; i++) same = comp.layer(i + 1).id === expected[i];
    if (!same) fail("comp-changed", "The layers of \"" + comp.name + "\" changed while Tessera was placing the clip; choose Insert to try again.");
  }

  function editableLayer(comp, id) {
    var layer = layerById(comp, id);
    if (!layer) fail("layer-gone", "A layer Tessera was about to change is no longer in \"" + comp.name + "\".");
    if (layer.locked) fail("locked", "The layer \"" + layer.name + "\" is locked: unlock it (the padlock in the Timeline panel) and try again.");
    return layer;
  }

  // Takes [from, to) out of a layer, as an overwrite edit would: trims a side, or splits the layer in two.
  function cut(layer, from, to, undo) {
    var inPoint = layer.inPoint;
    var outPoint = layer.outPoint;
    if (from <= inPoint && to >= outPoint) return "remove";
    if (from <= inPoint) {
      layer.inPoint = to;
      undo.push(function () {
        layer.inPoint = inPoint;
      });
    } else if (to >= outPoint) {
      layer.outPoint = from;
      undo.push(function () {
        layer.outPoint = outPoint;
      });
    } else {
      var rest = layer.duplicate();
      undo.push(function () {
        rest.remove();
      });
      rest.inPoint = to;
      layer.outPoint = from;
      undo.push(function () {
        layer.outPoint = outPoint;
      });
    }
    return "kept";
  }

  // Replace Footage: the same layer, so its effects, masks, transform and place in the stack stay.
  function replaceFootage(layer, item, undo) {
    var before = { source: layer.source, startTime: layer.startTime, inPoint: layer.inPoint, outPoint: layer.outPoint };
    layer.replaceSource(item, false);
    undo.push(function () {
      layer.replaceSource(before.source, false);
      layer.startTime = before.startTime;
      layer.inPoint = before.inPoint;
      layer.outPoint = before.outPoint;
    });
    return layer;
  }

  function place(comp, item, spec, undo) {
    var layer;
    if (spec.relation === "replace") {
      layer = replaceFootage(layerById(comp, spec.layer), item, undo);
    } else {
      layer = comp.layers.add(item);
      undo.push(function () {
        layer.remove();
      });
    }
    // startTime moves the whole layer, so it goes first; then the frames shown
    layer.startTime = spec.startTime;
    layer.inPoint = spec.inPoint;
    layer.outPoint = spec.outPoint;
    if (spec.relation === "above") layer.moveBefore(layerById(comp, spec.layer));
    else if (spec.relation === "below") layer.moveAfter(layerById(comp, spec.layer));
    else if (spec.relation === "top") layer.moveToBeginning();
    if (spec.comment) {
      layer.comment = spec.comment;
      item.comment = spec.comment;
    }
    return layer;
  }

  function rollBack(undo) {
    var i;
    for (i = undo.length - 1; i >= 0; i--) {
      try {
        undo[i]();
      } catch (ignored) {
        // keep putting back the rest
      }
    }
  }

  function applyEdit(args) {
    var comp = compById(args.compId);
    checkUnchanged(comp, args.expect);
    var item = itemWithId(args.place.itemId);
    if (!(item instanceof FootageItem)) fail("item-gone", "The imported clip is no longer in the project; choose Insert to import it again.");
    var removals = [];
    var cuts = [];
    var i;
    for (i = 0; i < args.remove.length; i++) removals.push(editableLayer(comp, args.remove[i]));
    for (i = 0; i < args.cuts.length; i++) cuts.push(editableLayer(comp, args.cuts[i]));
    if (args.place.relation === "replace") editableLayer(comp, args.place.layer);
    else if (args.place.relation !== "top" && !layerById(comp, args.place.layer)) fail("layer-gone", "The layer to stack the clip beside is gone.");

    var undo = [];
    var placed;
    app.beginUndoGroup(args.label);
    try {
      placed = place(comp, item, args.place, undo);
      for (i = 0; i < cuts.length; i++) {
        if (cut(cuts[i], args.place.inPoint, args.place.outPoint, undo) === "remove") removals.push(cuts[i]);
      }
      // last: a removed layer cannot be put back by a script, only by Undo
      for (i = 0; i < removals.length; i++) removals[i].remove();
    } catch (error) {
      rollBack(undo);
      throw error;
    } finally {
      app.endUndoGroup();
    }
    return { layerId: placed.id };
  }

  // -- files -----------------------------------------------------------------------------------------------------

  // Settings > Export log: a panel without Node.js cannot write files, so After Effects' own save dialog picks the
  // place (the desktop and the suggested name to start with) and the text is written here, as UTF-8. A write that
  // fails takes the file out again, so nothing half-written is left.
  function saveText(args) {
    var name = String(args.name).replace(/[\\\/:*?"<>|]/g, "-");
    var file = new File(Folder.desktop.fsName + "/" + name).saveDlg("Save the Tessera panel log", "Log files:*.log,All files:*.*");
    if (!file) return { path: null };
    var cannot = "Tessera could not write " + file.fsName + " (";
    file.encoding = "UTF-8";
    if (!file.open("w")) fail("write-failed", cannot + (file.error || "it cannot be opened") + "). Choose a folder you can write to, such as the desktop.");
    var written = file.write(String(args.text));
    var closed = file.close();
    if (!written || !closed) {
      cannot += (file.error || "the write failed") + "). Check there is space on the disk and save again.";
      file.remove();
      fail("write-failed", cannot);
    }
    return { path: file.fsName };
  }

  var calls = {
    readState: readState,
    readStamp: readStamp,
    importFootage: importFootage,
    applyEdit: applyEdit,
    saveText: saveText
  };

  function errorOf(error) {
    if (error instanceof Failure) return { code: error.code, message: error.message };
    var message = error && error.message ? String(error.message) : String(error);
    return { code: "extendscript", message: "After Effects: " + message, line: error && error.line ? error.line : null };
  }

  return function (name, args) {
    if (!calls.hasOwnProperty(name)) return encode({ ok: false, error: { code: "unknown-call", message: "Tessera's After Effects script has no call \"" + name + "\"; reinstall the extension." } });
    try {
      return encode({ ok: true, value: calls[name](args || {}) });
    } catch (error) {
      return encode({ ok: false, error: errorOf(error) });
    }
  };
})();
