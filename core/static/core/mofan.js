// Behaviour that templates opt into through data attributes; no inline scripts (CSP).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// Tree toggles: the first click loads children through htmx; later clicks only show or hide them.
document.addEventListener("click", function (event) {
  var toggle = event.target.closest("[data-testid='unit-toggle']");
  if (!toggle) { return; }
  var list = toggle.closest("li").querySelector(":scope > ul");
  var icon = toggle.querySelector("i");
  if (list.dataset.loaded) {
    var open = list.classList.toggle("d-none") === false;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    icon.className = open ? "bi bi-chevron-down" : "bi bi-chevron-right";
  }
});
document.addEventListener("htmx:afterSwap", function (event) {
  var list = event.detail.target;
  if (list.tagName === "UL") {
    list.dataset.loaded = "1";
    var toggle = list.closest("li").querySelector("[data-testid='unit-toggle']");
    if (toggle) {
      toggle.setAttribute("aria-expanded", "true");
      toggle.querySelector("i").className = "bi bi-chevron-down";
    }
  }
});

// A select with data-autosubmit sends its form as soon as a value is picked.
document.addEventListener("change", function (event) {
  var field = event.target.closest("[data-autosubmit]");
  if (field && field.form) { field.form.submit(); }
});
