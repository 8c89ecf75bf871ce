// lifeline dashboard: small progressive enhancements; every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // A network picker shows the chosen network at once.
  const pick = document.getElementById("network-pick");
  if (pick && pick.form) {
    pick.addEventListener("change", () => pick.form.submit());
  }
});
