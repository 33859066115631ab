/* The WeChat simulator's phone (P-6). Plain JS, no build step.
   Everything the server sends is drawn with DOM calls and textContent, never innerHTML,
   so a reply's text cannot inject markup into this page. */
(function () {
  "use strict";

  var boot = JSON.parse(document.getElementById("sim-boot").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var state = { user: null, last: 0, inboxSeen: null, inboxLast: 0, seen: {}, lastAt: 0, busy: false };
  var TYPE_LABEL = { subscribe: "你关注了公众号", unsubscribe: "你取消了关注" };

  // -- talking to the simulator --------------------------------------------------
  function api(method, url, body) {
    var opts = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) { throw new Error(data.error || data.message || ("请求失败（" + res.status + "）")); }
        return data;
      });
    });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function toast(text) {
    var t = $("toast");
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { t.hidden = true; }, 2200);
  }

  // -- links: our own pages open inside the phone ---------------------------------
  function localUrl(url) {
    var base = boot.public_base;
    if (base && url.indexOf(base + "/") === 0) { return url.slice(base.length); }
    try {
      var u = new URL(url, location.href);
      if (u.origin === location.origin) { return u.pathname + u.search + u.hash; }
    } catch (e) { /* not a URL: handled by the caller */ }
    return url;
  }

  function openWeb(url, title) {
    if (!/^(https?:\/\/|\/)/i.test(url || "")) { toast("无法打开此链接"); return; }
    closePopup();
    $("web-title").textContent = title || "加载中…";
    $("web-frame").src = localUrl(url);
    $("webview").hidden = false;
  }

  var LINK = /<a\s[^>]*?href\s*=\s*["']([^"']+)["'][^>]*>([\s\S]*?)<\/a>|(https?:\/\/[^\s<>"'，。]+)/gi;

  function richText(node, text) {
    var last = 0, m;
    LINK.lastIndex = 0;
    while ((m = LINK.exec(text)) !== null) {
      if (m.index > last) { node.appendChild(document.createTextNode(text.slice(last, m.index))); }
      var href = m[1] || m[3];
      var label = m[1] ? m[2].replace(/<[^>]*>/g, "") : m[3];
      if (/^(https?:\/\/|\/)/i.test(href)) {
        var a = el("a", null, label);
        a.href = href;
        a.addEventListener("click", (function (h, l) {
          return function (ev) { ev.preventDefault(); openWeb(h, l); };
        })(href, label));
        node.appendChild(a);
      } else {
        node.appendChild(document.createTextNode(label));
      }
      last = LINK.lastIndex;
    }
    if (last < text.length) { node.appendChild(document.createTextNode(text.slice(last))); }
  }

  // -- drawing the conversation ---------------------------------------------------
  function chat() { return $("chat"); }

  function scrollDown() { var c = chat(); c.scrollTop = c.scrollHeight; }

  function timeMark(at) {
    var when = at ? new Date(at + "Z") : new Date();
    if (isNaN(when)) { return; }
    if (when - state.lastAt > 5 * 60 * 1000) {
      var hh = String(when.getHours()).padStart(2, "0"), mm = String(when.getMinutes()).padStart(2, "0");
      chat().appendChild(el("div", "sim-time sim-item", hh + ":" + mm));
    }
    state.lastAt = when.getTime();
  }

  function note(text, tone) {
    var row = el("div", "sim-note sim-item" + (tone ? " sim-note_" + tone : ""));
    row.appendChild(el("span", null, text));
    chat().appendChild(row);
    return row;
  }

  function messageRow(mine, content, meta) {
    var row = el("div", "sim-msg sim-item" + (mine ? " sim-msg_me" : ""));
    row.appendChild(el("div", "sim-avatar" + (mine ? " sim-avatar_me" : ""), mine ? "我" : "结"));
    var body = el("div", "sim-body");
    body.appendChild(content);
    if (meta) { body.appendChild(el("div", "sim-meta", meta)); }
    row.appendChild(body);
    chat().appendChild(row);
    return row;
  }

  function textBubble(text) {
    var b = el("div", "sim-bubble");
    richText(b, text || "");
    return b;
  }

  function moreLink(card, url, label) {
    var a = el("a", "sim-card__more", label);
    a.href = url;
    a.addEventListener("click", function (ev) { ev.preventDefault(); openWeb(url); });
    card.appendChild(a);
  }

  function articleCards(articles) {
    var box = el("div");
    articles.forEach(function (art) {
      var card = el("div", "sim-card");
      card.appendChild(el("div", "sim-card__title", art.title || "（无标题）"));
      if (art.description) { card.appendChild(el("div", "sim-card__desc", art.description)); }
      if (art.url) { moreLink(card, art.url, "阅读全文"); }
      box.appendChild(card);
    });
    return box;
  }

  function templateCard(msg) {
    var card = el("div", "sim-card");
    card.appendChild(el("div", "sim-card__title", "模板消息"));
    card.appendChild(el("div", "sim-card__sub", "模板 " + msg.template_id));
    msg.fields.forEach(function (f) {
      var row = el("div", "sim-card__row");
      row.appendChild(el("b", null, f[0]));
      row.appendChild(el("span", null, f[1]));
      card.appendChild(row);
    });
    if (msg.url) { moreLink(card, msg.url, "详情"); }
    return card;
  }

  function drawMessage(msg, meta) {
    if (msg.type === "text") { messageRow(false, textBubble(msg.content), meta); }
    else if (msg.type === "news") { messageRow(false, articleCards(msg.articles), meta); }
    else if (msg.type === "template") { messageRow(false, templateCard(msg), meta); }
    else if (msg.type === "media") { messageRow(false, el("div", "sim-bubble", msg.label), meta); }
    else if (msg.type === "note") { note(msg.text); }
    else if (msg.type === "refused") { note(msg.text, "bad"); }
  }

  function drawPush(item) {
    if (state.seen["p" + item.id]) { return; }
    state.seen["p" + item.id] = true;
    timeMark(item.at);
    if (item.resent) {
      note("重发上一条推送（" + (item.msg_id ? "MsgId " + item.msg_id + "、" : "同一事件、") +
           "CreateTime " + item.create_time + " 均相同）");
    } else if (item.kind === "text") {
      messageRow(true, textBubble(item.content), null);
    } else if (item.event === "CLICK") {
      note("点击菜单「" + (item.note || item.key) + "」");
    } else if (item.event === "VIEW") {
      note("打开网页「" + (item.note || item.key) + "」");
    } else {
      note(TYPE_LABEL[item.event] || ("事件 " + item.event));
    }
    var reply = item.reply || {}, ms = item.latency_ms == null ? "" : " · " + item.latency_ms + " ms";
    if (reply.type === "none") { note("公众号未回复（success）" + ms); }
    else if (reply.type === "error") { note("推送被拒绝：HTTP " + reply.status + " " + reply.text + ms, "bad"); }
    else if (reply.type !== "pending") { drawMessage(reply, "被动回复" + ms); }
    if (item.resent) {
      note(item.same ? "回复与第一次相同（去重生效）" : "回复与第一次不同！", item.same ? "good" : "bad");
    }
  }

  function drawOutbound(item) {
    if (state.seen["o" + item.id]) { return; }
    state.seen["o" + item.id] = true;
    timeMark(item.at);
    drawMessage(item.message, item.kind === "template" ? "模板消息" : "客服消息");
    state.last = Math.max(state.last, item.id);
  }

  function drawItem(item) {
    if (item.source === "outbound") { drawOutbound(item); } else { drawPush(item); }
  }

  function clearChat() {
    Array.prototype.slice.call(chat().querySelectorAll(".sim-item")).forEach(function (n) { n.remove(); });
    state.seen = {};
    state.lastAt = 0;
  }

  // -- the user, the menu and the panel -------------------------------------------
  function applyUser(user) {
    state.user = user;
    var on = !!(user && user.subscribed);
    $("no-user").hidden = !!user;
    $("follow-card").hidden = !user || on;
    $("bottom").hidden = !on;
    $("follow").disabled = !user || on;
    $("unfollow").disabled = !on;
    $("resend").disabled = !user;
    $("openid-line").textContent = user ? "openid：" + user.openid : "";
    var option = user && $("user-select").querySelector('option[value="' + user.openid + '"]');
    if (option) { option.textContent = userLabel(user); }
    if (!on) { closePopup(); }
  }

  function userLabel(u) {
    return u.label + "（" + u.openid.slice(-6) + "）" + (u.subscribed ? "" : " 未关注");
  }

  function fillUsers(list) {
    var select = $("user-select");
    while (select.options.length > 1) { select.remove(1); }
    list.forEach(function (u) { select.appendChild(new Option(userLabel(u), u.openid)); });
    select.value = state.user ? state.user.openid : "";
  }

  function buildMenu(menu) {
    var box = $("menus");
    box.textContent = "";
    $("menu-source").textContent = { pushed: "已发布的菜单（模拟 API）", file: "menus.json（尚未发布）" }[menu.source] || "无菜单";
    menu.button.forEach(function (b) {
      var subs = b.sub_button || [];
      var btn = el("button", "sim-menu" + (subs.length ? " sim-menu_parent" : ""), b.name);
      btn.type = "button";
      btn.addEventListener("click", function (ev) {
        ev.stopPropagation();
        if (subs.length) { togglePopup(btn, subs); } else { tap(b); }
      });
      box.appendChild(btn);
    });
  }

  function togglePopup(btn, subs) {
    var pop = $("submenu");
    if (!pop.hidden && pop.owner === btn) { closePopup(); return; }
    closePopup();
    pop.textContent = "";
    subs.forEach(function (s) {
      var item = el("button", null, s.name);
      item.type = "button";
      item.addEventListener("click", function (ev) { ev.stopPropagation(); closePopup(); tap(s); });
      pop.appendChild(item);
    });
    pop.hidden = false;
    pop.owner = btn;
    btn.classList.add("sim-menu_open");
    var phone = $("phone").getBoundingClientRect(), r = btn.getBoundingClientRect(), edge = $("phone").clientLeft;
    var width = Math.max(pop.offsetWidth, r.width - 12);
    pop.style.minWidth = width + "px";
    var left = r.left - phone.left - edge + r.width / 2 - width / 2;
    left = Math.max(6, Math.min(left, phone.width - 2 * edge - width - 6));
    pop.style.left = left + "px";
    pop.style.bottom = (phone.bottom - edge - r.top + 8) + "px";
  }

  function closePopup() {
    var pop = $("submenu");
    if (pop.owner) { pop.owner.classList.remove("sim-menu_open"); pop.owner = null; }
    pop.hidden = true;
  }

  function tap(button) {
    if (button.type === "click") {
      sendEvent("CLICK", button.key, button.name);
    } else if (button.type === "view" || button.type === "miniprogram") {
      sendEvent("VIEW", button.url, button.name);
      openWeb(button.url, button.name);
    } else {
      toast("模拟器暂不支持“" + button.type + "”类型的菜单");
    }
  }

  // -- actions ----------------------------------------------------------------------
  function typing(on) {
    state.busy = on;
    document.querySelector(".sim-title").textContent = on ? "对方正在输入…" : "中国结算营业厅";
  }

  function send(body) {
    if (!state.user) { toast("请先选择模拟用户"); return Promise.resolve(); }
    body.openid = state.user.openid;
    typing(true);
    return api("POST", "/sim/send", body).then(function (data) {
      drawPush(data.item);
      applyUser(data.user);
      scrollDown();
    }).catch(function (err) { toast(err.message); }).then(function () { typing(false); });
  }

  function sendEvent(event, key, label) { return send({ type: "event", event: event, key: key, note: label || "" }); }

  function loadState(openid) {
    return api("GET", "/sim/state?openid=" + encodeURIComponent(openid || "")).then(function (data) {
      clearChat();
      applyUser(data.user);
      fillUsers(data.users);
      buildMenu(data.menu);
      data.history.forEach(drawItem);
      state.last = data.last;
      if (state.inboxSeen === null) { state.inboxSeen = data.inbox_last; }
      state.inboxLast = data.inbox_last;
      scrollDown();
    }).catch(function (err) { toast(err.message); });
  }

  function choose(url, body) {
    return api("POST", url, body).then(function (data) { return loadState(data.user.openid); })
      .catch(function (err) { toast(err.message); });
  }

  function poll() {
    if (document.hidden) { return; }
    var openid = state.user ? state.user.openid : "";
    api("GET", "/sim/feed?openid=" + encodeURIComponent(openid) + "&after=" + state.last +
        "&inbox_after=" + state.inboxLast).then(function (data) {
      if (state.user && state.user.openid === openid && data.items.length) {
        data.items.forEach(drawOutbound);
        scrollDown();
      }
      if (data.sms.length) { showSms(data.sms[data.sms.length - 1]); }
      state.inboxLast = data.inbox_last;
      var fresh = state.inboxLast - (state.inboxSeen || 0);
      $("inbox-badge").hidden = fresh <= 0;
      $("inbox-badge").textContent = fresh > 0 ? String(fresh) : "";
    }).catch(function () { /* the next poll tries again */ });
  }

  function showSms(sms) {
    var b = $("sms-banner");
    b.textContent = "";
    b.appendChild(el("b", null, "短信 · 发给 " + sms.recipient));
    b.appendChild(document.createTextNode(sms.body));
    b.hidden = false;
    clearTimeout(showSms.timer);
    showSms.timer = setTimeout(function () { b.hidden = true; }, 8000);
  }

  // -- wiring -----------------------------------------------------------------------
  $("user-select").addEventListener("change", function () {
    if (this.value) { choose("/sim/users/select", { openid: this.value }); }
  });
  $("user-new").addEventListener("click", function () {
    choose("/sim/users", { label: $("new-label").value }).then(function () { $("new-label").value = ""; });
  });
  $("follow").addEventListener("click", function () { sendEvent("subscribe"); });
  $("follow-big").addEventListener("click", function () { sendEvent("subscribe"); });
  $("unfollow").addEventListener("click", function () { sendEvent("unsubscribe"); });
  $("resend").addEventListener("click", function () {
    if (!state.user) { return; }
    var out = $("resend-result");
    typing(true);
    api("POST", "/sim/resend", { openid: state.user.openid }).then(function (data) {
      drawPush(data.item);
      var text = data.same ? "回复与第一次相同（去重生效）" : "回复与第一次不同！";
      out.textContent = text + " · " + data.item.latency_ms + " ms";
      out.className = "sim-result " + (data.same ? "sim-result_good" : "sim-result_bad");
      scrollDown();
    }).catch(function (err) { toast(err.message); }).then(function () { typing(false); });
  });
  $("inputbar").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var input = $("text"), text = input.value.trim();
    if (!text || state.busy) { return; }
    send({ type: "text", content: text }).then(function () { input.value = ""; input.focus(); });
  });
  $("to-keyboard").addEventListener("click", function () {
    closePopup();
    $("menubar").hidden = true;
    $("inputbar").hidden = false;
    $("text").focus();
  });
  $("to-menu").addEventListener("click", function () {
    $("inputbar").hidden = true;
    $("menubar").hidden = false;
  });
  $("web-close").addEventListener("click", function () { $("webview").hidden = true; $("web-frame").src = "about:blank"; });
  $("web-reload").addEventListener("click", function () {
    try { $("web-frame").contentWindow.location.reload(); } catch (e) { $("web-frame").src = $("web-frame").src; }
  });
  $("web-frame").addEventListener("load", function () {
    try { $("web-title").textContent = this.contentDocument.title || "网页"; } catch (e) { $("web-title").textContent = "网页"; }
  });
  $("open-hall").addEventListener("click", function (ev) { ev.preventDefault(); openWeb("/h5/", "服务大厅"); });
  document.addEventListener("click", closePopup);

  function tick() {
    var now = new Date();
    $("clock").textContent = now.getHours() + ":" + String(now.getMinutes()).padStart(2, "0");
  }
  tick();
  setInterval(tick, 30000);
  setInterval(poll, 2000);

  if (boot.openid) {
    api("POST", "/sim/users/select", { openid: boot.openid })
      .then(function (data) { return loadState(data.user.openid); })
      .catch(function () { return loadState(""); });
  } else {
    loadState("");
  }
})();
