// Directory enhancements (the page works without them). Links of the directory (pagination,
// map regions, "clear filters") become htmx requests that replace the results in place and push
// the URL (target, swap and push-url are inherited from the search form), so that the URL stays
// the state and the back button works. Map regions are SVG links, which htmx does not boost:
// they get their hx-get here.
(function () {
  "use strict";

  function wire(root) {
    if (!window.htmx) {
      return;
    }
    var map = root.querySelector ? root.querySelector("[data-directory-map]") : null;
    if (!map) {
      return;
    }
    map.querySelectorAll("a").forEach(function (link) {
      link.setAttribute("hx-get", link.getAttribute("href"));
    });
    window.htmx.process(map);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.htmx) {
      window.htmx.onLoad(wire);
    }
  });

  // A facet group the person opened stays open when the results are replaced.
  var openGroups = [];
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "directory-app") {
      openGroups = Array.prototype.map.call(
        document.querySelectorAll("#directory-app details[open][id]"),
        function (el) { return el.id; }
      );
    }
  });
  document.addEventListener("htmx:afterSwap", function () {
    openGroups.forEach(function (id) {
      var group = document.getElementById(id);
      if (group) {
        group.open = true;
      }
    });
    openGroups = [];
  });

  // Shorter shareable URLs: the search form does not send its empty fields.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = document.getElementById("directory-form");
    if (!form || event.detail.elt !== form) {
      return;
    }
    var params = event.detail.parameters;
    var empty = [];
    if (typeof FormData !== "undefined" && params instanceof FormData) {
      params.forEach(function (value, key) {
        if (value === "") {
          empty.push(key);
        }
      });
      empty.forEach(function (key) {
        var kept = params.getAll(key).filter(function (v) { return v !== ""; });
        params.delete(key);
        kept.forEach(function (v) { params.append(key, v); });
      });
    } else if (params) {
      Object.keys(params).forEach(function (key) {
        if (params[key] === "") {
          delete params[key];
        }
      });
    }
  });

  // Keep the browser from following the link itself: htmx makes the request.
  document.addEventListener("click", function (event) {
    if (!window.htmx || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) {
      return;
    }
    var link = event.target.closest("#directory-app [data-directory-map] a[hx-get], #directory-app a[data-directory-link][hx-get]");
    if (link) {
      event.preventDefault();
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
