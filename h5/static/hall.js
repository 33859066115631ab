/* Behaviour every hall page may use, declared in the markup with data attributes, so no page
   needs an inline script or an on…= handler (the Content-Security-Policy refuses both):
   data-confirm-submit on a form asks before it is sent, data-print prints the page,
   data-reload-after="15" on <body> reloads it after that many seconds. */
(function () {
  /* An empty touchstart listener lets iOS show :active states (was ontouchstart on <body>). */
  document.addEventListener('touchstart', function () {}, {passive: true});
  document.querySelectorAll('form[data-confirm-submit]').forEach(function (form) {
    form.addEventListener('submit', function (e) {
      if (!window.confirm(form.dataset.confirmSubmit)) { e.preventDefault(); }
    });
  });
  document.querySelectorAll('[data-print]').forEach(function (el) {
    el.addEventListener('click', function () { window.print(); });
  });
  var reload = parseInt(document.body.dataset.reloadAfter || '', 10);
  if (reload > 0) { setTimeout(function () { location.reload(); }, reload * 1000); }
})();
