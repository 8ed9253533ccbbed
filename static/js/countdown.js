// Keeps "N days, M hours left" current without a reload. The server renders the same words,
// so the page reads correctly with JavaScript off.
(function () {
  "use strict";
  function plural(n, word) { return n + "\u00a0" + word + (n === 1 ? "" : "s"); }
  function left(ms) {
    if (ms <= 0) return "due now";
    var minutes = Math.floor(ms / 60000), days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    if (days > 0) return plural(days, "day") + (hours ? ", " + plural(hours, "hour") : "") + " left";
    if (hours > 0) return plural(hours, "hour") + (mins ? ", " + plural(mins, "minute") : "") + " left";
    return plural(mins, "minute") + " left";
  }
  function tick() {
    var nodes = document.querySelectorAll("time[data-countdown]");
    for (var i = 0; i < nodes.length; i++) {
      nodes[i].textContent = left(new Date(nodes[i].getAttribute("datetime")) - new Date());
    }
  }
  tick();
  setInterval(tick, 30000);
})();
