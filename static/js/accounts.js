// Small enhancements for the accounts pages; every page also works without them.
if (!window.pacteAccounts) {
  window.pacteAccounts = true;
  // Buttons that destroy something ask first.
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });
  // A form sent back with errors: move keyboard focus to the summary at the top.
  document.addEventListener("DOMContentLoaded", () => {
    const summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  });
}
