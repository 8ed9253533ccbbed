// Keeps "N days, M hours left" current without a reload, in the page's language. The server
// renders the text (readable with JavaScript off) and, once per page, the words to write it
// with: a JSON block #countdown-words ({% countdown_words %}, core.moments.countdown_words), each
// unit's text per plural category; Intl.PluralRules picks the category, as the server's
// catalogue does. Without the words the server's text stays as it is.
(function () {
  "use strict";
  var source = document.getElementById("countdown-words");
  if (!source) return;
  var words = JSON.parse(source.textContent);
  var rules = new Intl.PluralRules(words.locale);

  function unit(n, name) {
    var forms = words.units[name];
    var text = forms[rules.select(n)] || forms.other || forms.one;
    return text.replace("{n}", String(n));
  }
  function pair(larger, smaller) {
    return words.pair.replace("{a}", larger).replace("{b}", smaller);
  }
  // The same arithmetic as core.moments.duration: whole minutes, the two largest units.
  function duration(ms) {
    var minutes = Math.max(Math.floor(ms / 60000), 0), days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    if (days > 0) return hours ? pair(unit(days, "day"), unit(hours, "hour")) : unit(days, "day");
    if (hours > 0) return mins ? pair(unit(hours, "hour"), unit(mins, "minute")) : unit(hours, "hour");
    return mins ? unit(mins, "minute") : words.under_a_minute;
  }
  function left(ms) {
    return ms <= 0 ? words.due_now : words.left.replace("{d}", duration(ms));
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
