// Behaviour the pages share, kept out of the HTML: the content security policy runs no inline
// script or event-handler attribute.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.submit();
  }
});

// A navigation menu closes when the person clicks elsewhere or presses Escape, as menus do.
document.addEventListener("click", function (event) {
  document.querySelectorAll("details[data-navmenu][open]").forEach(function (menu) {
    if (!menu.contains(event.target)) {
      menu.removeAttribute("open");
    }
  });
});
document.addEventListener("keydown", function (event) {
  if (event.key === "Escape") {
    document.querySelectorAll("details[data-navmenu][open]").forEach(function (menu) {
      menu.removeAttribute("open");
    });
  }
});
