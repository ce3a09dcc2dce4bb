// SME picker of the order line form: suggestions from the directory while typing a name or a
// SIREN; choosing one fills both fields. Without JavaScript the two fields are typed by hand.
(() => {
  let timer = null;
  document.addEventListener("input", (event) => {
    const input = event.target;
    const picker = input.closest("[data-sme-picker]");
    if (!picker || !["siren", "sme_name"].includes(input.name)) return;
    const box = input.closest(".field").querySelector("[data-sme-suggestions]");
    if (!box) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const url = picker.dataset.suggestUrl + "?q=" + encodeURIComponent(input.value);
      picker.querySelectorAll("[data-sme-suggestions]").forEach((other) => {
        if (other !== box) other.innerHTML = "";
      });
      if (window.htmx) {
        window.htmx.ajax("GET", url, { target: box, swap: "innerHTML" });
      }
    }, 250);
  });
  document.addEventListener("click", (event) => {
    const choice = event.target.closest("[data-sme-suggestions] button[data-siren]");
    if (!choice) return;
    const picker = choice.closest("[data-sme-picker]");
    picker.querySelector("[name=siren]").value = choice.dataset.siren;
    picker.querySelector("[name=sme_name]").value = choice.dataset.name;
    picker.querySelectorAll("[data-sme-suggestions]").forEach((box) => {
      box.innerHTML = "";
    });
    picker.querySelector("[name=amount]").focus();
  });
})();

// Keyboard focus after the htmx line actions (otherwise it falls back to the top of the page):
// after adding a line, the form's first field (or the first field in error) is focused, ready
// for the next line; after deleting one, the neighbouring row's first link (the next row, else
// the previous one), else the add form.
(() => {
  let pending = null;
  const firstField = (form) =>
    form &&
    (form.querySelector("[aria-invalid=true]") ||
      form.querySelector("input:not([type=hidden]), select, textarea"));

  document.addEventListener("htmx:beforeRequest", (event) => {
    const elt = event.detail.elt;
    if (elt.matches && elt.matches("form[data-line-add]")) {
      pending = { kind: "add" };
    } else if (elt.matches && elt.matches("a[data-line-delete]")) {
      const row = elt.closest("tr");
      const next = row && (row.nextElementSibling || row.previousElementSibling);
      pending = { kind: "delete", neighbour: next ? next.id : null };
    }
  });

  document.addEventListener("htmx:afterSettle", () => {
    if (!pending) return;
    const done = pending;
    pending = null;
    let target = null;
    if (done.kind === "delete" && done.neighbour) {
      const row = document.getElementById(done.neighbour);
      if (row) {
        target = row.querySelector("a[href]");
        if (!target) {
          row.setAttribute("tabindex", "-1");
          target = row;
        }
      }
    }
    if (!target) {
      target = firstField(document.querySelector("form[data-line-add]"));
    }
    if (target) target.focus();
  });
})();
