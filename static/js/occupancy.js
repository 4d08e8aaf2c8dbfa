/* The occupancy page refreshes itself every 10 seconds, and at once when the tab comes back. */
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) return;
  function refresh() {
    if (document.hidden) return;
    fetch(live.dataset.refresh, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) { if (html !== null) live.innerHTML = html; }).catch(function () {});
  }
  setInterval(refresh, 10000);
  document.addEventListener("visibilitychange", refresh);
})();
