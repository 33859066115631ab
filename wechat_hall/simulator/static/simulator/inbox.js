/* Development inbox: show local times, and reload when a newer message arrives
   (polling a tiny endpoint, so reading a long message is not interrupted). */
(function () {
  "use strict";
  var boot = JSON.parse(document.getElementById("inbox-boot").textContent);
  Array.prototype.forEach.call(document.querySelectorAll("time[data-utc]"), function (t) {
    var d = new Date(t.getAttribute("data-utc") + "Z");
    if (!isNaN(d)) { t.textContent = d.toLocaleString("zh-CN", { hour12: false }); }
  });
  setInterval(function () {
    if (document.hidden) { return; }
    fetch(boot.latest, { headers: { "Accept": "application/json" } })
      .then(function (res) { return res.json(); })
      .then(function (data) { if (data.last > boot.last) { location.reload(); } })
      .catch(function () { /* try again next time */ });
  }, 3000);
})();
