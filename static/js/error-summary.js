// After a form comes back with errors, move focus to its error summary, so a keyboard or
// screen-reader user starts from the list of what to correct. The page works the same
// without it: the summary is the first thing in the form.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
})();
