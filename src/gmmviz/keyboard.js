// Names for screen readers: ipywidgets 8.1 shows a control's label beside it but does not
// tie it to the focusable element (a slider's handle, Play's buttons); the tooltip (title)
// sits on the widget's outer element. Copy the name onto each focusable element.
const PLAY_ICONS = [["fa-play", "play"], ["fa-pause", "pause"], ["fa-stop", "stop"],
                    ["fa-retweet", "repeat"], ["fa-repeat", "repeat"]];
const FOCUSABLE = "select, input, button, textarea, .noUi-handle, .widget-readout";
function nameOf(target) {
  const widget = target.closest(
    ".jupyter-widgets[title], .widget-inline-hbox, .widget-play, .widget-button");
  let name = "";
  if (widget) {
    const label = widget.querySelector(":scope > .widget-label");
    // ipywidgets puts the tooltip on the widget's element or on its label.
    const title = widget.getAttribute("title") || (label && label.getAttribute("title")) || "";
    name = (label && label.textContent.trim()) || "";
    if (title && name && !title.startsWith(name)) name = name + ": " + title;
    else if (title) name = title;
  }
  if (target.tagName === "BUTTON") {
    const own = target.textContent.trim() || target.getAttribute("title") || "";
    const icon = target.querySelector("i");
    // (Only on ipywidgets' Play: another button's icon, e.g. Fit EM's ▶, is decoration.)
    const glyph = icon && target.closest(".widget-play")
      && PLAY_ICONS.find(([c]) => icon.classList.contains(c));
    if (glyph) name = glyph[1] + (name ? " (" + name + ")" : "");
    else if (own) name = own;
  }
  if (target.classList.contains("widget-readout")) name = "value of " + (name || "the slider");
  return name;
}
function label(box) {
  for (const target of box.querySelectorAll(FOCUSABLE)) {
    if (target.hasAttribute("aria-label")) continue;
    const name = nameOf(target);
    if (name) target.setAttribute("aria-label", name);
  }
}
export default {
  render({ model, el }) {
    el.style.display = "none";
    let tries = 0;
    const mark = () => {
      const box = el.closest("." + model.get("scope"));
      if (box) {
        // Lumino skips shortcuts for a focused element that carries the attribute itself
        // (a binding's selector matches the focused element before its ancestors).
        box.addEventListener("focusin", (event) => {
          event.target.setAttribute("data-lm-suppress-shortcuts", "true");
          label(box);
        });
        label(box);
        new MutationObserver(() => label(box)).observe(box, {childList: true, subtree: true});
      } else if (tries++ < 100) { requestAnimationFrame(mark); }
    };
    mark();
  }
};
