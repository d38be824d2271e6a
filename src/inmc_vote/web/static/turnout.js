// Live turnout. An element <… data-turnout-stream="/ballots/ID/turnout/stream"> holds
// the turnout the server wrote into the page (it reads well without JavaScript); this
// replaces the text of its `.turnout` child with each server-sent event's sentence,
// already in the page's language, and stops listening once voting is over. The events
// carry the count and the eligible cities only.
"use strict";
(function () {
  function follow(holder) {
    var target = holder.querySelector(".turnout") || holder;
    if (!window.EventSource) return;
    target.setAttribute("aria-live", "polite");
    var source = new EventSource(holder.getAttribute("data-turnout-stream"));
    source.addEventListener("turnout", function (event) {
      var turnout;
      try {
        turnout = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (typeof turnout.text === "string" && target.textContent !== turnout.text) {
        target.textContent = turnout.text;
      }
      holder.setAttribute("data-ballots", String(turnout.ballots));
      if (!turnout.open) {
        source.close(); // voting is over: no reconnection
        holder.setAttribute("data-turnout-closed", "");
      }
    });
  }
  function start() {
    var holders = document.querySelectorAll("[data-turnout-stream]");
    for (var i = 0; i < holders.length; i++) follow(holders[i]);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
