// Tells the server which time zone this browser's clock runs in, so that pages write moments
// in it: a cookie on every page (parley_tz, read by accounts/middleware.py, which checks the
// name), and the sign-in form's hidden field (saved on the account at the first sign-in).
// Without JavaScript, pages use the account's saved zone, else UTC.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  // An IANA name ("America/Sao_Paulo", "Etc/GMT+3"); anything else is not sent.
  if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) return;
  var cookie = "parley_tz=" + zone;
  if (document.cookie.split("; ").indexOf(cookie) === -1) {
    var secure = location.protocol === "https:" ? "; secure" : "";
    document.cookie = cookie + "; path=/; max-age=31536000; samesite=lax" + secure;
  }
  var fields = document.querySelectorAll("input[data-browser-zone]");
  for (var i = 0; i < fields.length; i++) fields[i].value = zone;
})();
