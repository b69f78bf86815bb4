// The drawing canvas of gmmviz's SketchPad (gmmviz.pads._PadCanvas): no library, no build step.
//
// Model (traits): width, height (pixels); pen_colors ("#rrggbb" per pen) and pen_index (the
// brush colour; the pad links pen_index to its pen buttons in the page); brush_size (pixels);
// data_url (the drawing as a PNG data URL, transparent paper).
// The page sets data_url when a stroke ends (the button released on the canvas or off it: the
// pointer is captured while drawing), on clear, undo and redo, and once it has drawn a picture
// sent from Python ({type: "picture", url}: drawn undoably, replacing the canvas). A new view (a
// second one, a reloaded page) draws the data_url the model holds. (anywidget removes a view's
// model listeners with the view.)

const UNDO_DEPTH = 50; // undo steps kept: each is a copy of the canvas's pixels

function button(text, title) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.title = title;
  return b;
}

function render({ model, el }) {
  const toolbar = document.createElement("div");
  toolbar.className = "gmmviz-pad-toolbar";
  const sizeLabel = document.createElement("label");
  sizeLabel.textContent = "brush size ";
  sizeLabel.title = "brush size in pixels";
  const size = document.createElement("input");
  size.type = "range";
  size.min = "1";
  size.max = "30";
  size.setAttribute("aria-label", "brush size in pixels");
  sizeLabel.append(size);
  const undo = button("undo", "undo: take back the last change to the drawing");
  const redo = button("redo", "redo: put back what undo took back");
  const clear = button("clear", "clear: wipe the canvas (undo brings the drawing back)");
  // The brush colour, for whoever reads the page (tests): hidden and disabled, no colour picker.
  const brush = document.createElement("input");
  brush.type = "color";
  brush.hidden = true;
  brush.disabled = true;
  brush.tabIndex = -1;
  toolbar.append(sizeLabel, undo, redo, clear, brush);

  const canvas = document.createElement("canvas");
  canvas.width = model.get("width");
  canvas.height = model.get("height");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", "drawing canvas (draw with a mouse, a pen or a finger)");
  el.append(toolbar, canvas);
  const ctx = canvas.getContext("2d", { willReadFrequently: true });

  const undoStack = [];
  const redoStack = [];
  const pixels = () => ctx.getImageData(0, 0, canvas.width, canvas.height);
  function remember() {
    undoStack.push(pixels());
    if (undoStack.length > UNDO_DEPTH) undoStack.shift();
    redoStack.length = 0;
  }
  function send() {
    model.set("data_url", canvas.toDataURL("image/png"));
    model.save_changes();
  }
  function swap(from, to) {
    if (!from.length) return;
    to.push(pixels());
    ctx.putImageData(from.pop(), 0, 0);
    send();
  }
  undo.addEventListener("click", () => swap(undoStack, redoStack));
  redo.addEventListener("click", () => swap(redoStack, undoStack));
  clear.addEventListener("click", () => {
    remember();
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    send();
  });

  // Pen and brush size, from the model.
  const color = () => (model.get("pen_colors") || [])[model.get("pen_index")] || "#000000";
  const showPen = () => { brush.value = color(); };
  const showSize = () => { size.value = String(model.get("brush_size")); };
  size.addEventListener("input", () => {
    model.set("brush_size", Number(size.value));
    model.save_changes();
  });
  showPen();
  showSize();
  model.on("change:pen_index", showPen);
  model.on("change:pen_colors", showPen);
  model.on("change:brush_size", showSize);

  // Strokes: pointer events (mouse, pen and touch alike), the pointer captured while drawing.
  let last = null; // where the stroke is, while one is drawn
  function at(event) {
    const r = canvas.getBoundingClientRect();
    return [
      ((event.clientX - r.left - canvas.clientLeft) * canvas.width) / canvas.clientWidth,
      ((event.clientY - r.top - canvas.clientTop) * canvas.height) / canvas.clientHeight,
    ];
  }
  function ink(from, to) {
    ctx.strokeStyle = ctx.fillStyle = color();
    ctx.lineWidth = model.get("brush_size");
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.beginPath();
    if (from === to) {
      ctx.arc(to[0], to[1], ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
    } else {
      ctx.moveTo(from[0], from[1]);
      ctx.lineTo(to[0], to[1]);
      ctx.stroke();
    }
  }
  canvas.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || last) return;
    remember();
    last = at(event);
    ink(last, last); // a click is a dot
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!last) return;
    const p = at(event);
    ink(last, p);
    last = p;
  });
  const end = () => {
    if (!last) return;
    last = null;
    send();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  canvas.addEventListener("lostpointercapture", end);

  // A picture from Python (Random clusters): it replaces the drawing, undoably, and goes back.
  function onMessage(msg) {
    if (!msg || msg.type !== "picture") return;
    const picture = new Image();
    picture.onload = () => {
      remember();
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(picture, 0, 0);
      send();
    };
    picture.src = msg.url;
  }
  model.on("msg:custom", onMessage);

  // A new view of a pad that has a drawing (a second view, a reloaded page): show it.
  const saved = model.get("data_url");
  if (saved) {
    const picture = new Image();
    picture.onload = () => ctx.drawImage(picture, 0, 0);
    picture.src = saved;
  }
}

export default { render };
