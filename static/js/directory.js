// Directory enhancements (the page works without them): links of the directory (pagination,
// map regions, "clear filters") refresh the results in place and keep the URL as the state.
(function () {
  "use strict";

  function go(url) {
    if (!window.htmx) {
      window.location.href = url;
      return;
    }
    window.htmx
      .ajax("GET", url, { target: "#directory-app", swap: "outerHTML" })
      .then(function () {
        window.history.pushState({ htmx: true }, "", url);
      });
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) {
      return;
    }
    var link = event.target.closest("#directory-app [data-directory-link], #directory-app [data-directory-map] a");
    if (!link) {
      return;
    }
    var href = link.getAttribute("href");
    if (!href) {
      return;
    }
    event.preventDefault();
    go(href);
  });

  // Back/forward after a pushState of ours: reload the page for that URL.
  window.addEventListener("popstate", function (event) {
    if (event.state && event.state.htmx && !document.getElementById("directory-app")) {
      window.location.reload();
    }
  });

  // Picking a suggestion fills the search box and searches.
  document.addEventListener("click", function (event) {
    var option = event.target.closest("#directory-suggestions [data-name]");
    if (!option || event.metaKey || event.ctrlKey) {
      return;
    }
    var input = document.getElementById("id_q");
    var form = document.getElementById("directory-form");
    if (!input || !form) {
      return;
    }
    event.preventDefault();
    input.value = option.getAttribute("data-name");
    document.getElementById("directory-suggestions").innerHTML = "";
    form.requestSubmit();
  });
})();
