// The header's box ticks or clears every row of the page; without it, a link reloads the page
// with every row ticked.
(function () {
  "use strict";
  var all = document.getElementById("select-page");
  if (!all) return;
  var boxes = document.querySelectorAll("input[type=checkbox][name=ids]");
  var link = document.querySelector(".no-js-select");
  if (link) link.hidden = true;
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
  });
  boxes.forEach(function (box) {
    box.addEventListener("change", function () {
      all.checked = Array.prototype.every.call(boxes, function (b) { return b.checked; });
    });
  });
})();
