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
