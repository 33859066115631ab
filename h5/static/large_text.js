/* Every hall page: the 大字版 switch (bigger text and touch targets), remembered in
   localStorage under "hall-large" ("1" or absent): a display preference, no personal data.
   Loaded in <head> so the class is on <html> before the page paints. */
(function () {
  var KEY = 'hall-large';
  var root = document.documentElement;
  function stored() {
    try { return window.localStorage.getItem(KEY) === '1'; } catch (e) { return false; }
  }
  function apply(on) {
    root.classList.toggle('hall-large', on);
    if (document.body) {  // WeUI's own 关怀模式 (care mode) colours and sizes, too
      if (on) { document.body.setAttribute('data-weui-mode', 'care'); } else { document.body.removeAttribute('data-weui-mode'); }
    }
    document.querySelectorAll('.hall-large-toggle').forEach(function (btn) {
      btn.setAttribute('aria-pressed', on ? 'true' : 'false');
      btn.textContent = on ? '标准版' : '大字版';
    });
  }
  apply(stored());
  document.addEventListener('DOMContentLoaded', function () {
    apply(stored());
    document.querySelectorAll('.hall-large-toggle').forEach(function (btn) {
      btn.addEventListener('click', function () {
        var on = !root.classList.contains('hall-large');
        try {
          if (on) { window.localStorage.setItem(KEY, '1'); } else { window.localStorage.removeItem(KEY); }
        } catch (e) { /* private mode: this page only */ }
        apply(on);
      });
    });
  });
})();
