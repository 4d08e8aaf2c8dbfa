// Shows the nationality only for passports; the form works without it.
(function () {
  "use strict";
  var form = document.getElementById("volunteer-form");
  if (!form) return;
  var idType = form.querySelector("select[name=id_type]");
  var nationality = form.querySelector(".field-nationality");
  function update() {
    if (nationality && idType) nationality.hidden = idType.value !== "passport";
  }
  if (idType) idType.addEventListener("change", update);
  update();
})();
