// After "issue the tokens and download the letters": the ZIP arrives as a download, so
// the page that asked for it would stay as it was, still offering "Confirm". The answer
// carries a short-lived cookie naming the ballot; once it appears, the download has
// begun and this page moves on to the tokens page, which says what happened and what to
// do next (or, if the file never arrived, how to cancel and issue again).
"use strict";
(function () {
  var form = document.querySelector("form[data-after-download]");
  if (!form) return;
  var cookie = "inmc_letters=" + form.getAttribute("data-ballot");
  form.addEventListener("submit", function () {
    var tries = 0;
    var timer = window.setInterval(function () {
      tries += 1;
      var arrived = document.cookie.split("; ").indexOf(cookie) >= 0;
      if (arrived) {
        document.cookie = "inmc_letters=; Max-Age=0; Path=" + form.getAttribute("data-cookie-path");
      }
      if (arrived || tries > 600) {
        window.clearInterval(timer);
        if (arrived) window.location.assign(form.getAttribute("data-after-download"));
      }
    }, 250);
  });
})();
