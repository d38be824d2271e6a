// Adds the reader's own local time next to a time shown in the ballot's zone:
// <time class="local-time" datetime="ISO" data-zone="Europe/Paris">…</time> (the
// `local_time` template filter). Without JavaScript the page still shows the ballot's
// time with its zone and UTC offset. The words come from <body data-your-time>, in the
// page's language; the date is written by Intl.DateTimeFormat in <html lang>.
// Also: the language switch (base.html) keeps the address's fragment.
"use strict";
(function () {
  function enrich() {
    var lang = document.documentElement.lang || "en";
    var words = document.body.getAttribute("data-your-time") || "Your time: {time}";
    var here;
    try {
      here = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (error) {
      return;
    }
    var format = new Intl.DateTimeFormat(lang, {
      dateStyle: "long",
      timeStyle: "short",
      timeZone: here,
    });
    var times = document.querySelectorAll("time.local-time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var time = times[i];
      var zone = time.getAttribute("data-zone");
      var moment = new Date(time.getAttribute("datetime"));
      if (!here || zone === here || isNaN(moment.getTime()) || time.dataset.enriched) {
        continue;
      }
      time.dataset.enriched = "1";
      var yours = document.createElement("span");
      yours.className = "your-time";
      yours.textContent = " (" + words.replace("{time}", format.format(moment) + ", " + here) + ")";
      time.insertAdjacentElement("afterend", yours);
    }
  }
  // The language switch keeps the address's fragment (a vote link's token stays in the
  // browser: a fragment is never sent to the server).
  function keepFragment(event) {
    var link = event.target.closest("nav.languages a[href]");
    if (link && window.location.hash && link.href.indexOf("#") < 0) {
      link.href += window.location.hash;
    }
  }
  function start() {
    enrich();
    document.addEventListener("click", keepFragment);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
