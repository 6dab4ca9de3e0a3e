// Behaviour the pages share, kept out of the HTML: the content security policy runs no inline
// script or event-handler attribute.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.submit();
  }
});
