/* 客服工作台: polls for new messages and list changes (every 2 s), sends the presence
   heartbeat (every 15 s), canned replies (::shortcut), waiting timers. No framework. */
(function () {
  "use strict";
  var root = document.getElementById("cs-console");
  if (!root) { return; }
  var pollUrl = root.dataset.poll, beatUrl = root.dataset.heartbeat, csrf = root.dataset.csrf;
  var conversation = root.dataset.conversation;
  var after = parseInt(root.dataset.after || "0", 10);
  var statusEl = document.getElementById("conv-status");
  var initialStatus = statusEl ? statusEl.dataset.status : null;
  var initialMine = !!document.getElementById("reply-form");
  var textarea = document.getElementById("reply-text");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function localTime(iso) {
    var d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString("zh-CN", {hour12: false});
  }
  function fixTimes(scope) {
    scope.querySelectorAll("time[data-at]").forEach(function (t) { t.textContent = localTime(t.dataset.at); });
  }
  function waited(since) {
    var s = Math.max(0, Math.floor((Date.now() - new Date(since)) / 1000));
    if (s < 60) { return s + "秒"; }
    if (s < 3600) { return Math.floor(s / 60) + "分" + String(s % 60).padStart(2, "0") + "秒"; }
    return Math.floor(s / 3600) + "小时" + Math.floor(s % 3600 / 60) + "分";
  }
  function renderList(id, rows, withWait) {
    var list = document.getElementById(id);
    list.textContent = "";
    if (!rows.length) { list.appendChild(el("li", "cs-empty", "暂无")); return; }
    rows.forEach(function (row) {
      var li = el("li", "cs-item" + (String(row.id) === conversation ? " cs-item_on" : ""));
      li.dataset.id = row.id;
      var a = el("a"); a.href = row.url;
      a.appendChild(el("span", "cs-item__who", row.openid + " · " + row.queue));
      if (withWait) {
        var w = el("span", "cs-item__wait", "已等待 " + row.waited);
        w.dataset.since = row.since; a.appendChild(w);
      }
      a.appendChild(el("span", "cs-item__preview", row.preview));
      li.appendChild(a); list.appendChild(li);
    });
  }
  function renderMessage(m) {
    var li = el("li", "cs-msg cs-msg_" + m.kind + (m.delivery === "refused" || m.delivery === "failed" ? " cs-msg_failed" : ""));
    li.dataset.id = m.id;
    li.appendChild(el("div", "cs-msg__body", m.body));
    var meta = el("div", "cs-msg__meta", (m.author ? m.author + " " : "") + localTime(m.at));
    if (m.delivery === "refused") { meta.textContent += " · 未送达（微信 " + m.errcode + "：" + m.error + "）"; }
    else if (m.delivery === "failed") { meta.textContent += " · 未送达（" + m.error + "）"; }
    li.appendChild(meta);
    return li;
  }
  function poll() {
    var url = pollUrl + (conversation ? "?c=" + conversation + "&after=" + after : "");
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        renderList("mine-list", data.mine, false);
        renderList("waiting-list", data.waiting, true);
        document.getElementById("mine-count").textContent = data.mine.length;
        document.getElementById("waiting-count").textContent = data.waiting.length;
        document.getElementById("presence-label").textContent = data.presence;
        if (!data.conversation) { return; }
        var thread = document.getElementById("thread");
        (data.messages || []).forEach(function (m) {
          if (m.id > after && !thread.querySelector('[data-id="' + m.id + '"]')) {
            thread.appendChild(renderMessage(m));
            thread.scrollTop = thread.scrollHeight;
          }
          after = Math.max(after, m.id);
        });
        var c = data.conversation;
        statusEl.textContent = c.status_label;
        statusEl.dataset.status = c.status;
        var rating = document.getElementById("conv-rating");
        if (rating) { rating.textContent = c.rating ? "评价：" + c.rating : ""; }
        var win = document.getElementById("window");
        if (win && c.mine) {
          win.textContent = c.window.text;
          win.classList.toggle("cs-window_closed", !c.window.can_send);
          document.getElementById("send").disabled = !c.window.can_send;
          textarea.disabled = !c.window.can_send;
        }
        // Assigned to me (or taken away) while I look: the forms change, reload when idle.
        if ((c.status !== initialStatus || c.mine !== initialMine) && !(textarea && textarea.value)) {
          location.reload();
        }
      })
      .catch(function () { /* the next poll tries again */ });
  }
  function heartbeat() {
    fetch(beatUrl, {method: "POST", credentials: "same-origin",
                    headers: {"X-CSRFToken": csrf, "Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { document.getElementById("presence-label").textContent = data.presence; } })
      .catch(function () {});
  }
  function tick() {
    document.querySelectorAll(".cs-item__wait[data-since]").forEach(function (w) {
      if (w.dataset.since) { w.textContent = "已等待 " + waited(w.dataset.since); }
    });
  }

  if (textarea) {
    var canned = document.getElementById("canned");
    var count = document.getElementById("reply-count");
    var max = parseInt(count.textContent.split("/")[1], 10);
    var byShortcut = {};
    Array.prototype.forEach.call(canned.options, function (o) { if (o.dataset.shortcut) { byShortcut[o.dataset.shortcut] = o.value; } });
    var update = function () {
      count.textContent = textarea.value.length + "/" + max;
      count.style.color = textarea.value.length > max ? "#fa5151" : "";
    };
    textarea.addEventListener("input", function () {
      // "::code " (with a space) becomes the canned reply.
      textarea.value = textarea.value.replace(/::(\S+) $/, function (all, code) {
        return byShortcut[code] !== undefined ? byShortcut[code] : all;
      });
      update();
    });
    canned.addEventListener("change", function () {
      if (canned.value) { textarea.value += canned.value; canned.value = ""; update(); textarea.focus(); }
    });
    update();
  }
  fixTimes(document);
  var thread = document.getElementById("thread");
  if (thread) { thread.scrollTop = thread.scrollHeight; }
  heartbeat();
  setInterval(heartbeat, 15000);
  setInterval(poll, 2000);
  setInterval(tick, 1000);
})();
