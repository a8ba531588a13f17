// The overview map: a region's link opens a small panel with its name, value and two links
// (its stories, its indicators). Without this script the link opens the region's stories.
// Keyboard: Enter on a region opens the panel and focuses its first link; Escape closes it.
(function () {
  "use strict";
  function setUp() {
    var card = document.getElementById("map");
    var panel = document.getElementById("map-panel");
    if (!card || !panel) return;
    var title = panel.querySelector(".map-panel-title");
    var value = panel.querySelector(".map-panel-value");
    var stories = panel.querySelector("a.map-panel-stories");
    var indicators = panel.querySelector("a.map-panel-indicators");
    var opener = null;

    function close(returnFocus) {
      panel.hidden = true;
      if (returnFocus && opener) opener.focus();
      opener = null;
    }

    function open(region, x, y) {
      opener = region;
      title.textContent = region.getAttribute("data-name");
      value.textContent = region.getAttribute("data-value");
      stories.setAttribute("href", region.getAttribute("href"));
      indicators.setAttribute("href", region.getAttribute("data-indicators"));
      var box = card.getBoundingClientRect();
      panel.hidden = false;
      var left = Math.min(Math.max(0, x - box.left + 8), box.width - panel.offsetWidth - 4);
      var top = Math.min(Math.max(0, y - box.top + 8), box.height - panel.offsetHeight - 4);
      panel.style.left = left + "px";
      panel.style.top = top + "px";
      stories.focus();
    }

    card.querySelectorAll("svg.map a.map-region").forEach(function (region) {
      region.addEventListener("click", function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button === 1) return;
        event.preventDefault();
        var x = event.clientX, y = event.clientY;
        if (!x && !y) {  // from the keyboard: next to the region
          var r = region.getBoundingClientRect();
          x = r.left + r.width / 2;
          y = r.top + r.height / 2;
        }
        open(region, x, y);
      });
    });
    panel.querySelector(".map-panel-close").addEventListener("click", function () { close(true); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !panel.hidden) close(true);
    });
    document.addEventListener("click", function (event) {
      if (!panel.hidden && !panel.contains(event.target) && !event.target.closest("a.map-region")) close(false);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
