// One store per model (all views of the explorer share it): half-step -> {url, readout}.
const stores = new WeakMap();
function storeOf(model) {
  let s = stores.get(model);
  if (!s) {
    s = {fit: model.get("fit"), frames: new Map(), views: new Set(), timer: null};
    stores.set(model, s);
  }
  if (s.fit !== model.get("fit")) {  // a new fit: its frames, not the old ones
    for (const f of s.frames.values()) URL.revokeObjectURL(f.url);
    s.frames.clear();
    s.fit = model.get("fit");
  }
  return s;
}
function urlOf(bytes) {
  const view = bytes instanceof DataView ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  return URL.createObjectURL(new Blob([view], {type: "image/png"}));
}
function keep(model, i, bytes, readout) {
  const s = storeOf(model);
  if (!bytes || !bytes.byteLength) return null;
  if (!s.frames.has(i)) s.frames.set(i, {url: urlOf(bytes), readout: readout || ""});
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
    el.append(row, img, readout);

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
      if (img.getAttribute("src") !== frame.url) img.src = frame.url;
      if (readout.innerHTML !== frame.readout) readout.innerHTML = frame.readout;
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
        if (plain) URL.revokeObjectURL(plain);
        plain = bytes && bytes.byteLength ? urlOf(bytes) : null;
        show(plain && {url: plain, readout: model.get("readout")}, i);
        return;
      }
      const frame = keep(model, i, bytes, model.get("readout"));
      if (i === model.get("index")) show(frame, i);
    };
    // A frame drawn ahead: keep it (and show it if the slider is already there).
    const onMsg = (msg, buffers) => {
      if (!msg || msg.frame === undefined || msg.fit !== model.get("fit") || !buffers.length) return;
      const frame = keep(model, msg.frame, buffers[0], msg.readout);
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
      if (plain) URL.revokeObjectURL(plain);
    };
  }
};
