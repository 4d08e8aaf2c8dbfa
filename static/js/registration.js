// Shows only the parts of the registration form that apply; the form works without it.
(function () {
  "use strict";
  var form = document.getElementById("registration-form");
  if (!form) return;
  var category = form.querySelector("select[name=category]");
  var idType = form.querySelector("select[name=id_type]");
  var code = form.querySelector(".field-code");
  var nationality = form.querySelector(".field-nationality");
  var openCategories = code ? (code.getAttribute("data-open-categories") || "").split(" ") : [];

  function update() {
    var chosen = category ? category.value : (form.querySelector("input[name=category]") || {}).value;
    if (code) code.hidden = openCategories.indexOf(chosen) !== -1;
    if (nationality && idType) nationality.hidden = idType.value !== "passport";
    // The category's required fields: "required" beside each, or nothing.
    form.querySelectorAll(".required-for[data-categories]").forEach(function (mark) {
      mark.textContent = mark.getAttribute("data-label");
      mark.hidden = mark.getAttribute("data-categories").split(" ").indexOf(chosen) === -1;
    });
    form.querySelectorAll(".session-choice li[data-categories]").forEach(function (item) {
      var allowed = item.getAttribute("data-categories").split(" ").indexOf(chosen) !== -1;
      item.hidden = !allowed;
      if (!allowed) item.querySelector("input").checked = false;
    });
  }
  if (category) category.addEventListener("change", update);
  if (idType) idType.addEventListener("change", update);
  update();
})();
