// One store per model (all views of the explorer share it): half-step -> {url, readout}.
const stores = new WeakMap();
function storeOf(model) {
  let s = stores.get(model);
  if (!s) {
    s = {fit: model.get("fit"), frames: new Map(), views: new Set(), timer: null};
    stores.set(model, s);
  }
  if (s.fit !== model.get("fit")) {  // a new fit: its frames, not the old ones
    // (once its decoding ahead has settled: a URL revoked while the browser still reads it logs
    // a failed load in the console)
    for (const f of s.frames.values()) {
      f.ready.then(() => { letGo(f.url); if (f.bitmap) f.bitmap.close(); });
    }
    s.frames.clear();
    s.fit = model.get("fit");
  }
  return s;
}
// A frame's URL is let go (revoked) with its fit, but not while an <img> still shows or loads it:
// a URL revoked under a loading <img> fails its load (and the console says so).
const inUse = new Map();  // url -> how many <img>s show it
const retired = new Set();  // urls let go while in use: revoked once no <img> shows them
function letGo(url) {
  if (inUse.get(url)) retired.add(url);
  else URL.revokeObjectURL(url);
}
function point(img, url) {  // img shows url from now on (null: nothing)
  const old = img.getAttribute("src");
  if (old === url) return;
  if (old && inUse.has(old)) {
    const n = inUse.get(old) - 1;
    if (n > 0) inUse.set(old, n);
    else {
      inUse.delete(old);
      if (retired.delete(old)) setTimeout(() => URL.revokeObjectURL(old), 0);  // (after the new src is set)
    }
  }
  if (url) {
    inUse.set(url, (inUse.get(url) || 0) + 1);
    img.src = url;
  } else img.removeAttribute("src");
}
function blobOf(bytes) {
  const view = bytes instanceof DataView ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  return new Blob([view], {type: "image/png"});
}
function urlOf(bytes) { return URL.createObjectURL(blobOf(bytes)); }
function keep(model, i, bytes, readout, handles) {
  const s = storeOf(model);
  if (!bytes || !bytes.byteLength) return null;
  if (!s.frames.has(i)) {
    const blob = blobOf(bytes);
    // Decoded now, in idle time, to a bitmap: shown later, it is drawn at once on the key press
    // and on screen in the next frame (an <img> would fetch and decode its new src first).
    const frame = {url: URL.createObjectURL(blob), readout: readout || "", handles: handles || [], bitmap: null};
    frame.ready = (typeof createImageBitmap === "function" ? createImageBitmap(blob) : Promise.resolve(null))
      .then((bitmap) => { frame.bitmap = bitmap; }, () => {});
    s.frames.set(i, frame);
  }
  return s.frames.get(i);
}
// Play: the next half-step `interval` ms after the current one is on show, never before.
function stopTimer(s) { if (s.timer) { clearTimeout(s.timer); s.timer = null; } }
function setPlaying(model, on) {
  if (model.get("playing") === on) return;
  model.set("playing", on);
  model.save_changes();
}
function goTo(model, i) {
  if (model.get("index") === i) return;
  model.set("index", i);  // the linked slider follows in the page; the kernel hears of it
  model.save_changes();
}
function tick(model) {
  const s = storeOf(model);
  s.timer = null;
  if (!model.get("playing")) return;
  const i = model.get("index"), last = model.get("n_frames") - 1;
  if (i >= last) { setPlaying(model, false); return; }
  goTo(model, i + 1);  // shown now if the page has it, else when the kernel's picture arrives
}
function shownAt(model, i) {  // a view shows frame i: if playing, the next one is due later
  const s = storeOf(model);
  if (model.get("playing") && i === model.get("index") && !s.timer) {
    s.timer = setTimeout(() => tick(model), model.get("interval"));
  }
}
// The learner's hands on the picture: drag a mean, click to add a point, Shift+click to remove
// the nearest, or the same from the keyboard. The page only turns gestures into data units
// (from `axes`: where the points' panel lies, and its limits) and tells the kernel, which refits.
function handsOn(model, stage, img) {
  let handles = [];   // the means of the frame shown: [number, x, y, colour]
  let drag = null;    // {handle, x0, y0, moved} while a mean is dragged
  let press = null;   // {x0, y0, shift} while the pointer is down elsewhere
  let mode = null;    // keyboard: {kind: "mean", handle, x, y} or {kind: "point", x, y}
  let hideTimer = null;
  const ghost = document.createElement("div");  // where a mean (or a point) will go
  ghost.className = "gmmviz-ghost";
  ghost.style.cssText = "position:absolute;width:14px;height:14px;border-radius:50%;border:3px solid #1a1a1a;" +
    "transform:translate(-50%,-50%);pointer-events:none;display:none;box-sizing:border-box;background:rgba(255,255,255,0.6)";
  const say = document.createElement("div");  // what the keys did, for screen readers
  say.className = "gmmviz-hands-status";
  say.setAttribute("aria-live", "polite");
  say.style.cssText = "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap";
  stage.append(ghost, say);
  img.tabIndex = 0;
  img.setAttribute("data-lm-suppress-shortcuts", "true");  // (JupyterLab's own switch: keys stay here)
  const canAdd = () => !!(model.get("editable") || {}).add;
  const canMove = () => !!(model.get("editable") || {}).move;
  const canRemove = () => !!(model.get("editable") || {}).remove;
  const describe = () => {
    const parts = [];
    if (canMove()) parts.push("press a component's number to pick its mean, arrow keys move it, Enter starts EM from there");
    if (canAdd()) parts.push("P for a point cursor, arrow keys move it, Enter adds a point, Delete removes the nearest point");
    parts.push("Escape cancels");
    img.setAttribute("aria-label", (model.get("alt") || "EM picture") + ". " + parts.join("; ") + ".");
  };
  describe();
  const axes = () => model.get("axes") || null;
  const frac = (event) => {  // the pointer, as fractions of the picture from its top left
    const r = img.getBoundingClientRect();
    return {fx: (event.clientX - r.left) / r.width, fy: (event.clientY - r.top) / r.height};
  };
  const toData = ({fx, fy}) => {
    const a = axes();
    const u = Math.min(1, Math.max(0, (fx - a.left) / a.width));
    const v = Math.min(1, Math.max(0, (fy - a.top) / a.height));
    return {x: a.xlim[0] + u * (a.xlim[1] - a.xlim[0]), y: a.ylim[1] - v * (a.ylim[1] - a.ylim[0])};
  };
  const toFrac = (x, y) => {
    const a = axes();
    return {fx: a.left + (x - a.xlim[0]) / (a.xlim[1] - a.xlim[0]) * a.width,
            fy: a.top + (a.ylim[1] - y) / (a.ylim[1] - a.ylim[0]) * a.height};
  };
  const inAxes = ({fx, fy}) => {
    const a = axes();
    return a && fx >= a.left && fx <= a.left + a.width && fy >= a.top && fy <= a.top + a.height;
  };
  const hit = (p) => {  // the mean under the pointer (within 12 px), nearest first
    if (!axes()) return null;
    const r = img.getBoundingClientRect();
    let best = null, bestGap = 12;
    for (const h of handles) {
      const q = toFrac(h[1], h[2]);
      const gap = Math.hypot((q.fx - p.fx) * r.width, (q.fy - p.fy) * r.height);
      if (gap <= bestGap) { best = h; bestGap = gap; }
    }
    return best;
  };
  const place = (x, y, color, cross) => {
    const q = toFrac(x, y);
    ghost.style.left = (100 * q.fx) + "%";
    ghost.style.top = (100 * q.fy) + "%";
    ghost.style.borderColor = color || "#1a1a1a";
    ghost.style.borderRadius = cross ? "0" : "50%";
    ghost.style.transform = "translate(-50%,-50%)" + (cross ? " rotate(45deg)" : "");
    ghost.style.display = "block";
  };
  const hide = () => { ghost.style.display = "none"; };
  const fmt = (v) => (Math.abs(v) < 1e-9 ? 0 : v).toPrecision(3);
  const send = (message) => {
    model.send(message);
    // The ghost stays where the learner put it until the new fit's picture arrives.
    clearTimeout(hideTimer);
    hideTimer = setTimeout(() => { if (!mode) hide(); }, 4000);
  };
  const onDown = (event) => {
    if (event.button !== 0 || !axes()) return;
    const p = frac(event);
    if (!inAxes(p)) return;
    const h = canMove() ? hit(p) : null;
    event.preventDefault();
    img.focus({preventScroll: true});
    if (h) {
      drag = {handle: h, x0: event.clientX, y0: event.clientY, moved: false};
      img.setPointerCapture(event.pointerId);
      img.style.cursor = "grabbing";
      place(h[1], h[2], h[3]);
    } else {
      press = {x0: event.clientX, y0: event.clientY, shift: event.shiftKey};
    }
  };
  const onMove = (event) => {
    if (!axes()) return;
    const p = frac(event);
    if (drag) {
      if (Math.hypot(event.clientX - drag.x0, event.clientY - drag.y0) > 3) drag.moved = true;
      const d = toData(p);
      place(d.x, d.y, drag.handle[3]);
      return;
    }
    if (press) return;
    img.style.cursor = !inAxes(p) ? "" : (canMove() && hit(p)) ? "grab" : canAdd() ? "crosshair" : "";
  };
  const onUp = (event) => {
    if (drag) {
      const d = toData(frac(event)), h = drag.handle;
      if (drag.moved) {
        send({event: "move_mean", component: h[0], x: d.x, y: d.y});
        say.textContent = `Mean ${h[0]} dropped at (${fmt(d.x)}, ${fmt(d.y)}): EM starts again from there.`;
      } else hide();
      drag = null;
      img.style.cursor = "grab";
      return;
    }
    if (press) {
      const p = frac(event), near = Math.hypot(event.clientX - press.x0, event.clientY - press.y0) <= 4;
      if (near && inAxes(p)) {
        const d = toData(p);
        if (press.shift && canRemove()) send({event: "remove_point", x: d.x, y: d.y});
        else if (!press.shift && canAdd()) {
          place(d.x, d.y, "#1a1a1a");
          send({event: "add_point", x: d.x, y: d.y});
        }
      }
      press = null;
    }
  };
  const onCancel = () => { drag = null; press = null; hide(); };
  const announce = () => {
    if (!mode) return;
    const what = mode.kind === "mean" ? `Mean ${mode.handle[0]}` : "Point cursor";
    say.textContent = `${what} at x1 = ${fmt(mode.x)}, x2 = ${fmt(mode.y)}.`;
  };
  const onKey = (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || !axes()) return;
    const a = axes(), key = event.key;
    let done = true;
    if (/^[0-9]$/.test(key) && canMove()) {
      const number = key === "0" ? 10 : parseInt(key, 10);
      const h = handles.find((g) => g[0] === number);
      if (h) {
        mode = {kind: "mean", handle: h, x: h[1], y: h[2]};
        place(mode.x, mode.y, h[3]);
        say.textContent = `Mean ${number} picked at x1 = ${fmt(h[1])}, x2 = ${fmt(h[2])}. ` +
          "Arrow keys move it, Enter starts EM from there, Escape cancels.";
      } else say.textContent = `There is no mean ${number}: this fit has ${handles.length}.`;
    } else if ((key === "p" || key === "P") && (canAdd() || canRemove())) {
      const x = mode ? mode.x : (a.xlim[0] + a.xlim[1]) / 2, y = mode ? mode.y : (a.ylim[0] + a.ylim[1]) / 2;
      mode = {kind: "point", x, y};
      place(x, y, "#1a1a1a", true);
      say.textContent = `Point cursor at x1 = ${fmt(x)}, x2 = ${fmt(y)}. Arrow keys move it, ` +
        (canAdd() ? "Enter adds a point, " : "") + "Delete removes the nearest point, Escape cancels.";
    } else if (mode && key.startsWith("Arrow")) {
      const step = event.shiftKey ? 1 / 8 : 1 / 40;
      const dx = (a.xlim[1] - a.xlim[0]) * step, dy = (a.ylim[1] - a.ylim[0]) * step;
      if (key === "ArrowLeft") mode.x = Math.max(a.xlim[0], mode.x - dx);
      if (key === "ArrowRight") mode.x = Math.min(a.xlim[1], mode.x + dx);
      if (key === "ArrowUp") mode.y = Math.min(a.ylim[1], mode.y + dy);
      if (key === "ArrowDown") mode.y = Math.max(a.ylim[0], mode.y - dy);
      place(mode.x, mode.y, mode.kind === "mean" ? mode.handle[3] : "#1a1a1a", mode.kind === "point");
      announce();
    } else if (mode && key === "Enter") {
      if (mode.kind === "mean") {
        send({event: "move_mean", component: mode.handle[0], x: mode.x, y: mode.y});
        say.textContent = `Mean ${mode.handle[0]} placed: EM starts again from there.`;
        mode = null;
      } else if (canAdd()) {
        send({event: "add_point", x: mode.x, y: mode.y});
        say.textContent = `Point added at x1 = ${fmt(mode.x)}, x2 = ${fmt(mode.y)}.`;
      }
    } else if (mode && mode.kind === "point" && (key === "Delete" || key === "Backspace") && canRemove()) {
      send({event: "remove_point", x: mode.x, y: mode.y});
      say.textContent = "The point nearest to the cursor is removed.";
    } else if (key === "Escape" && mode) {
      mode = null;
      hide();
      say.textContent = "Cancelled.";
    } else done = false;
    if (done) { event.preventDefault(); event.stopPropagation(); }
  };
  img.addEventListener("pointerdown", onDown);
  img.addEventListener("pointermove", onMove);
  img.addEventListener("pointerup", onUp);
  img.addEventListener("pointercancel", onCancel);
  img.addEventListener("keydown", onKey);
  img.addEventListener("dragstart", (event) => event.preventDefault());  // (no image drag-and-drop)
  model.on("change:editable change:alt", describe);
  return {
    setHandles(h) {
      handles = h;
      if (mode && mode.kind === "mean") {  // the picked mean follows the frame shown
        const same = handles.find((g) => g[0] === mode.handle[0]);
        if (!same) { mode = null; hide(); }
      }
    },
    pictureArrived() { if (!drag && !mode) { clearTimeout(hideTimer); hide(); } },
    remove() {
      clearTimeout(hideTimer);
      model.off("change:editable change:alt", describe);
    },
  };
}

// The controls of the explorer's box, by CSS class, and the name the kernel knows them by.
const CONTROLS = [["gmmviz-step-slider", "step"], ["gmmviz-k-slider", "k"], ["gmmviz-init", "init"],
                  ["gmmviz-seed", "seed"], ["gmmviz-covariance-type", "covariance_type"],
                  ["gmmviz-reg-covar", "reg_covar"]];
export default {
  render({ model, el }) {
    const learner = (control) => model.send({event: "learner", control});
    // The player's row: a play/pause button and the speed.
    const row = document.createElement("div");
    row.className = "gmmviz-player";
    row.style.cssText = "display:flex;align-items:center;gap:8px;margin:2px 0 4px 0";
    const button = document.createElement("button");
    button.className = "gmmviz-play jupyter-button";
    button.style.minWidth = "84px";
    const speed = document.createElement("select");
    speed.className = "gmmviz-speed";
    speed.setAttribute("aria-label", "speed: half-steps a second while playing");
    speed.title = "speed: half-steps a second while playing";
    const speedLabel = document.createElement("label");  // (the label holds its menu)
    speedLabel.style.cssText = "display:flex;align-items:center;gap:6px";
    speedLabel.append("speed", speed);
    row.append(button, speedLabel);
    const stage = document.createElement("div");  // the picture and what the hands put on it
    stage.className = "gmmviz-stage";
    stage.style.cssText = "position:relative;display:inline-block;max-width:100%;line-height:0";
    const img = document.createElement("img");
    img.className = model.get("css");
    img.alt = model.get("alt");
    img.style.width = model.get("width");
    img.style.maxWidth = "100%";
    img.style.height = "auto";
    img.style.display = "block";
    const readout = document.createElement("div");
    readout.className = "gmmviz-readout";
    readout.setAttribute("aria-live", "off");
    // The pictures kept in the page are drawn here, over the <img>, the moment they are asked
    // for; the <img> (its alt text, its src: what tests and screen readers read) follows.
    const canvas = document.createElement("canvas");
    canvas.className = "gmmviz-frame-canvas";
    canvas.setAttribute("aria-hidden", "true");
    canvas.style.cssText = "position:absolute;left:0;top:0;width:100%;height:100%;pointer-events:none;display:none";
    stage.append(img, canvas);
    el.append(row, stage, readout);
    let shownCount = 0;
    const markShown = (i) => { stage.dataset.shown = `${i}:${++shownCount}`; };  // (a picture is on screen)
    let awaited = null;  // the src whose load puts frame `awaited.i` on screen
    img.addEventListener("load", () => {
      if (awaited && img.getAttribute("src") === awaited.url) { markShown(awaited.i); awaited = null; }
    });
    const hands = handsOn(model, stage, img);

    const drawButton = () => {
      const on = model.get("playing");
      // Font Awesome's icons, as ipywidgets' own buttons use (bundled with its JupyterLab
      // extension, so offline; a pause glyph of plain text is missing from many fonts).
      const icon = document.createElement("i");
      icon.className = "fa " + (on ? "fa-pause" : "fa-play");
      icon.setAttribute("aria-hidden", "true");
      button.replaceChildren(icon, document.createTextNode(on ? " pause" : " play"));
      button.setAttribute("aria-label", on ? "pause" : "play: show the half-steps one after another");
      button.title = on ? "pause" : "play: show the half-steps one after another";
      button.setAttribute("aria-pressed", on ? "true" : "false");
    };
    const drawSpeeds = () => {
      speed.replaceChildren(...model.get("speeds").map(([label, ms]) => {
        const o = document.createElement("option");
        o.value = String(ms);
        o.textContent = label;
        return o;
      }));
      speed.value = String(model.get("interval"));
    };
    let plain = null;  // the object URL of the kernel's picture when the cache is off
    const show = (frame, i) => {
      if (!frame) return;
      point(img, frame.url);
      if (frame.bitmap) {
        if (canvas.width !== frame.bitmap.width || canvas.height !== frame.bitmap.height) {
          canvas.width = frame.bitmap.width;
          canvas.height = frame.bitmap.height;
        }
        canvas.getContext("2d").drawImage(frame.bitmap, 0, 0);
        canvas.style.display = "block";
        awaited = null;
        markShown(i);
      } else {
        canvas.style.display = "none";  // (the <img> shows it once loaded)
        awaited = {url: frame.url, i};
        if (img.complete && img.naturalWidth) { markShown(i); awaited = null; }
      }
      if (readout.innerHTML !== frame.readout) readout.innerHTML = frame.readout;
      hands.setHandles(frame.handles || []);
      shownAt(model, i);
    };
    // The slider moved (in the page): show the frame now if the page has it.
    const onIndex = () => {
      if (!model.get("cache")) return;
      const i = model.get("index");
      show(storeOf(model).frames.get(i), i);
    };
    // The kernel's picture: keep it; show it only if it is the half-step the slider wants.
    const onValue = () => {
      const i = model.get("value_index"), bytes = model.get("value");
      if (!model.get("cache")) {
        const old = plain;
        plain = bytes && bytes.byteLength ? urlOf(bytes) : null;
        show(plain && {url: plain, readout: model.get("readout"), handles: model.get("handles")}, i);
        if (old) letGo(old);
        return;
      }
      hands.pictureArrived();
      const frame = keep(model, i, bytes, model.get("readout"), model.get("handles"));
      if (i === model.get("index")) {
        show(frame, i);  // (the <img> loads it)
        // and the bitmap, if decoded first, draws it: whichever is ready first puts it on screen
        if (frame && !frame.bitmap) frame.ready.then(() => {
          if (frame.bitmap && model.get("index") === i && storeOf(model).frames.get(i) === frame && awaited) show(frame, i);
        });
      }
    };
    // A frame drawn ahead: keep it (and show it if the slider is already there).
    const onMsg = (msg, buffers) => {
      if (!msg || msg.frame === undefined || msg.fit !== model.get("fit") || !buffers.length) return;
      const frame = keep(model, msg.frame, buffers[0], msg.readout, msg.handles);
      if (model.get("cache") && msg.frame === model.get("index")) show(frame, msg.frame);
    };
    const onPlaying = () => {
      drawButton();
      const s = storeOf(model);
      stopTimer(s);
      if (model.get("playing")) {
        const i = model.get("index");
        const frame = s.frames.get(i);
        if (frame && img.getAttribute("src") === frame.url) shownAt(model, i);
      }
    };
    const onFit = () => stopTimer(storeOf(model));  // (storeOf forgets the old fit's frames)
    button.addEventListener("click", () => {
      learner("play");
      if (model.get("playing")) { setPlaying(model, false); return; }
      // From the last half-step, Play starts again at the start.
      if (model.get("index") >= model.get("n_frames") - 1) goTo(model, 0);
      setPlaying(model, true);  // (change:playing starts the clock once the picture is shown)
    });
    speed.addEventListener("change", () => {
      model.set("interval", parseInt(speed.value, 10));
      model.save_changes();
    });
    // End on the half-step slider: noUiSlider (in ipywidgets 8.1) answers End with the largest
    // value the slider had when it was drawn, not its current one (its keydown handler reads a
    // range that updateOptions does not replace), so after a refit End would land on the old
    // fit's last half-step. The box's End goes to this fit's last half-step instead.
    const box = () => el.closest(".gmmviz-em-explorer");
    const onKey = (event) => {
      if (event.key !== "End" || !event.target.closest(".gmmviz-step-slider")) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      goTo(model, model.get("n_frames") - 1);
    };
    // The learner uses a control of the box: say so (the kernel then prepares what comes next:
    // the frames of this fit for the half-step and Play, the fits of other K for the rest). The
    // page's own message: a change made in the kernel or by a link is not the learner's.
    const onUse = (event) => {
      if (event.type === "keydown" && ["Tab", "Shift", "Control", "Alt", "Meta"].includes(event.key)) return;
      const found = event.target.closest && CONTROLS.find(([css]) => event.target.closest("." + css));
      if (found) learner(found[1]);
    };
    let keyBox = null;
    const listen = () => {
      keyBox = box();
      if (keyBox) {
        keyBox.addEventListener("keydown", onKey, true);
        keyBox.addEventListener("keydown", onUse, true);
        keyBox.addEventListener("pointerdown", onUse, true);
      }
      else requestAnimationFrame(listen);
    };
    listen();
    model.on("change:index", onIndex);
    model.on("change:value change:value_index change:readout", onValue);
    model.on("change:fit", onFit);
    model.on("change:playing", onPlaying);
    model.on("change:speeds change:interval", drawSpeeds);
    model.on("msg:custom", onMsg);
    drawButton();
    drawSpeeds();
    model.send({event: "shown"});  // the kernel may now prepare what the learner does next
    onValue();
    if (model.get("cache") && model.get("value_index") !== model.get("index")) onIndex();
    return () => {
      model.off("change:index", onIndex);
      model.off("change:value change:value_index change:readout", onValue);
      model.off("change:fit", onFit);
      model.off("change:playing", onPlaying);
      model.off("change:speeds change:interval", drawSpeeds);
      model.off("msg:custom", onMsg);
      if (keyBox) {
        keyBox.removeEventListener("keydown", onKey, true);
        keyBox.removeEventListener("keydown", onUse, true);
        keyBox.removeEventListener("pointerdown", onUse, true);
      }
      point(img, null);  // (this view no longer shows its picture)
      if (plain) URL.revokeObjectURL(plain);
      hands.remove();
    };
  }
};
