// Progressive enhancement for htmx swaps: focus and announcements, CSRF header.
// No inline script anywhere, so a strict Content-Security-Policy holds.
(function () {
  "use strict";

  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region || !text) { return; }
    region.textContent = "";
    // A short delay makes screen readers notice a message equal to the last one.
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function settle(root) {
    var scope = root || document;
    var focusTarget = scope.querySelector("[data-swap-focus]");
    if (!focusTarget && scope.matches && scope.matches("[data-swap-focus]")) {
      focusTarget = scope;
    }
    var message = scope.querySelector("[data-announce]");
    if (!message && scope.matches && scope.matches("[data-announce]")) {
      message = scope;
    }
    if (focusTarget) {
      if (!focusTarget.hasAttribute("tabindex") && !focusTarget.matches("a, button, input, select, textarea")) {
        focusTarget.setAttribute("tabindex", "-1");
      }
      focusTarget.removeAttribute("data-swap-focus");
      focusTarget.focus();
    }
    if (message) {
      announce(message.getAttribute("data-announce"));
      message.removeAttribute("data-announce");
    }
  }

  document.addEventListener("htmx:afterSettle", function () { settle(document); });
  document.addEventListener("DOMContentLoaded", function () { settle(document); });

  // htmx posts forms with their hidden csrf_token field; other requests get the header.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRFToken"] = meta.getAttribute("content"); }
  });
})();
