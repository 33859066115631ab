"""``Phone``: the WeChat simulator page (``/sim/``) driven the way a person uses WeChat.

Every end-to-end test talks to the app through this class::

    phone.follow()
    welcome = phone.wait_for_reply()          # a Reply: the text, and .kind
    phone.tap_menu("业务办理", "证券查询")
    phone.type("预约")
    frame = phone.open_link_in_reply("业务预约")   # the H5 page inside the phone
    expect(frame.get_by_text("已识别您的微信身份")).to_be_visible()

Gestures in the phone are taps (the context has touch); the simulator's side panel
(new user, unfollow, resend) is clicked like a desktop page. Each gesture that sends a
push returns once the simulator has drawn the push and its passive reply. Replies are
counted from the last gesture: ``wait_for_reply`` returns the next message from the
account after it, whether a passive reply or one that arrives later by polling.
"""
import re
from urllib.parse import quote, urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

ACCOUNT_TITLE = "中国结算营业厅"  # the chat's title bar, "对方正在输入…" while a push is out
INCOMING = "#chat .sim-msg:not(.sim-msg_me) .sim-body"  # messages from the account
NOTES = "#chat .sim-note"  # the grey lines: 你关注了公众号, 公众号未回复, 回复与第一次相同 …

# Scripts run in the simulator page to read its state (see simulator/static/.../chat.js).
_JS_OPENID = """() => {
  const line = document.getElementById('openid-line').textContent;
  return line.startsWith('openid：') ? line.slice('openid：'.length) : '';
}"""
_JS_LOADED = f"() => !document.getElementById('no-user').hidden || !!({_JS_OPENID})()"
# wait_for_function takes a truthy value as "done": these return an object, never 0.
_JS_SENT = """([count, busyTitle]) => {
  const toast = document.getElementById('toast');
  if (!toast.hidden) { return {toast: toast.textContent}; }
  const drawn = document.querySelectorAll('#chat .sim-item').length > count;
  const busy = document.querySelector('.sim-title').textContent !== busyTitle;
  return drawn && !busy ? {ok: true} : null;
}"""
_JS_NEXT_REPLY = """([selector, after, text]) => {
  const items = Array.from(document.querySelectorAll(selector));
  for (let i = after; i < items.length; i++) {
    if (!text || items[i].firstElementChild.innerText.includes(text)) { return {index: i}; }
  }
  return null;
}"""
_JS_REPLIES = """(selector) => Array.from(document.querySelectorAll(selector)).map(body => {
  const meta = body.querySelector('.sim-meta');
  return [body.firstElementChild.innerText, meta ? meta.textContent : ''];
})"""


class Reply(str):
    """A message from the account as the phone shows it (its text), with ``kind``: the
    caption under it — 被动回复 (the answer to a push), 客服消息 or 模板消息."""

    def __new__(cls, text, meta=""):
        reply = super().__new__(cls, text)
        reply.meta = meta
        reply.kind = meta.split(" · ")[0]
        return reply


def _exactly(text):
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


class Phone:
    """The simulator page of one browser context; ``openid`` / ``nickname``: the simulated
    user holding it (``open`` picks one)."""

    def __init__(self, page, artifact=None):
        self.page = page
        self.artifact = artifact  # path without .png, for screenshot()
        self.openid = None
        self.nickname = None
        self._mark = 0  # replies before this index are older than the last gesture

    # -- who is holding the phone ---------------------------------------------------

    def open(self, nickname=None, openid=None):
        """Open the simulator as a new simulated user (named ``nickname`` if given), or
        as the existing user ``openid``. Returns the phone."""
        page = self.page
        page.goto(f"/sim/?openid={quote(openid)}" if openid else "/sim/")
        # The page's first load (no user, or the one its cookie remembers) must finish
        # before we pick one, or its late answer would draw over ours.
        page.wait_for_function(_JS_LOADED)
        if not openid:
            remembered = page.evaluate(_JS_OPENID)
            page.locator("#new-label").fill(nickname or "")
            page.locator("#user-new").click()
            page.wait_for_function(f"() => ({_JS_OPENID})() !== {remembered!r}")
        self.openid = page.evaluate(_JS_OPENID)
        if openid:
            assert self.openid == openid, f"the simulator opened {self.openid}, not {openid}"
        option = page.locator("#user-select option:checked").inner_text()
        self.nickname = re.sub(r"（[^）]*）.*$", "", option)
        self._scroll_to_phone()
        self._mark = self._incoming_count()
        return self

    def follow(self):
        """Tap 关注公众号 (the subscribe event). The welcome is then ``wait_for_reply()``."""
        self._push(lambda: self.page.locator("#follow-big").tap())
        self.page.locator("#bottom").wait_for()

    def unfollow(self):
        """取消关注 (the unsubscribe event), from the simulator's panel."""
        self._push(lambda: self.page.locator("#unfollow").click())
        expect(self.page.locator("#follow-card")).to_be_visible()
        self._scroll_to_phone()

    def is_following(self):
        return self.page.locator("#bottom").is_visible()

    # -- gestures in the chat -------------------------------------------------------

    def menu_names(self):
        """The top-level menu buttons, left to right."""
        return [name.strip() for name in self.page.locator("#menus > button").all_inner_texts()]

    def tap_menu(self, top, sub=None):
        """Tap a menu button (and, for a parent, the ``sub`` button in its popup).

        A CLICK button's answer is then ``wait_for_reply()``; a VIEW button opens its
        page: ``web()``.
        """
        self.close_web()
        if self.page.locator("#menubar").is_hidden():
            self.page.locator("#to-menu").tap()

        def tap():
            self.page.locator("#menus > button").filter(has_text=_exactly(top)).tap()
            if sub is not None:
                popup = self.page.locator("#submenu")
                expect(popup).to_be_visible()
                popup.locator("button").filter(has_text=_exactly(sub)).tap()
        self._push(tap)

    def type(self, text):
        """Type ``text`` in the input bar and send it. Its answer is ``wait_for_reply()``."""
        self.close_web()
        if self.page.locator("#inputbar").is_hidden():
            self.page.locator("#to-keyboard").tap()

        def send():
            self.page.locator("#text").fill(text)
            self.page.locator("#inputbar .sim-send").tap()
        self._push(send)

    def resend_last(self):
        """WeChat's retry: the last push again with the same MsgId / CreateTime (panel
        button 重发上一条推送). Returns the simulator's verdict, e.g. 回复与第一次相同（去重生效）;
        the reply to the retry is then ``wait_for_reply()``."""
        self._push(lambda: self.page.locator("#resend").click())
        self._scroll_to_phone()
        verdict = self.page.locator(NOTES).filter(has_text="回复与第一次").last
        return verdict.inner_text().strip()

    # -- what the phone shows -------------------------------------------------------

    def replies(self):
        """Every message from the account in the conversation, oldest first."""
        return [Reply(text, meta) for text, meta in self.page.evaluate(_JS_REPLIES, INCOMING)]

    def last_reply(self):
        replies = self.replies()
        assert replies, "the account has not said anything yet"
        return replies[-1]

    def wait_for_reply(self, containing=None, timeout=None):
        """The next message from the account since the last gesture (or since the reply
        this last returned), containing ``containing`` if given. Messages the app sends
        later (customer-service, template) arrive by the page's polling, within ~2 s."""
        try:
            found = self.page.wait_for_function(
                _JS_NEXT_REPLY, arg=[INCOMING, self._mark, containing or ""],
                timeout=timeout).json_value()
        except PlaywrightError:
            since = self.replies()[self._mark:]
            wanted = f" containing {containing!r}" if containing else ""
            raise AssertionError(f"no reply{wanted}; since the last gesture: {since!r}; "
                                 f"notes: {self.notes()[-3:]!r}") from None
        self._mark = found["index"] + 1
        return self.replies()[found["index"]]

    def notes(self):
        """The grey notes in the conversation (events, no reply, dedup verdicts …)."""
        return [n.strip() for n in self.page.locator(NOTES).all_inner_texts()]

    def last_reply_links(self):
        """The links in the last message from the account: {text: href}."""
        links = self.page.locator(INCOMING).last.locator("a")
        return {a.inner_text(): a.get_attribute("href") for a in links.all()}

    # -- pages opened inside the phone ----------------------------------------------

    def open_link_in_reply(self, text):
        """Tap the link ``text`` in the latest reply that has one. Returns the H5 frame."""
        self.close_web()
        link = self.page.locator(INCOMING).locator("a").filter(has_text=_exactly(text)).last
        href = link.get_attribute("href")
        link.tap()
        # Links in WeChat go through the /h5/wx door (OAuth), which opens /h5/<rest>.
        return self.web(urlsplit(href).path.replace("/h5/wx/", "/h5/", 1))

    def web(self, path=None):
        """The page open in the phone's web view (a Playwright Frame), once it has loaded
        at ``path`` (after any OAuth redirects) when given."""
        expect(self.page.locator("#webview")).to_be_visible()
        frame = self.page.locator("#web-frame").element_handle().content_frame()
        try:
            frame.wait_for_url(lambda url: url != "about:blank" and (
                path is None or urlsplit(url).path == path))
        except PlaywrightError:
            raise AssertionError(f"the web view shows {frame.url}, not {path}") from None
        return frame

    def web_title(self):
        """The title the web view's bar shows (the page's <title> once loaded)."""
        return self.page.locator("#web-title").inner_text().strip()

    def close_web(self):
        """Close the web view (✕), back to the chat; nothing if none is open."""
        if self.page.locator("#webview").is_visible():
            self.page.locator("#web-close").tap()
            expect(self.page.locator("#webview")).to_be_hidden()

    # -- artifacts ------------------------------------------------------------------

    def screenshot(self, name):
        """Save the screen as test-artifacts/browser/<test>--<name>.png; returns the path."""
        path = f"{self.artifact}--{name}.png"
        self._scroll_to_phone()
        self.page.screenshot(path=path, full_page=True)
        return path

    # -- the machinery --------------------------------------------------------------

    def _incoming_count(self):
        return self.page.locator(INCOMING).count()

    def _scroll_to_phone(self):
        # On a phone-sized screen the simulator's panel is below the phone.
        self.page.evaluate("window.scrollTo(0, 0)")

    def _push(self, gesture):
        """Do a gesture that sends a push; return once the push and its passive reply
        are drawn. A refusal (the page's toast) fails at once with its text."""
        drawn = self.page.locator("#chat .sim-item").count()
        self._mark = self._incoming_count()
        gesture()
        try:
            result = self.page.wait_for_function(
                _JS_SENT, arg=[drawn, ACCOUNT_TITLE]).json_value()
        except PlaywrightError:
            raise AssertionError("the push was not drawn in the chat; "
                                 f"notes: {self.notes()[-3:]!r}") from None
        if "toast" in result:
            raise AssertionError(f"the simulator refused: {result['toast']}")
