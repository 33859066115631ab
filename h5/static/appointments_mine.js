/* 我的预约: the span and by-day/by-booking tabs fill the search form's start and end dates. */
(function () {
  var form = document.querySelector('.apt-search');
  if (!form) { return; }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function iso(d) { return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()); }
  form.querySelectorAll('input[name=span]').forEach(function (r) {
    r.addEventListener('change', function () {
      var days = parseInt(r.dataset.days, 10), byDay = form.querySelector('input[name=by]:checked').value === 'day';
      var end = new Date(); if (byDay) { end.setDate(end.getDate() + days); }
      var start = new Date(end); start.setDate(start.getDate() - days);
      form.start.value = iso(start); form.end.value = iso(end);
    });
  });
  form.querySelectorAll('input[name=by]').forEach(function (r) {
    r.addEventListener('change', function () {
      form.querySelectorAll('.apt-tab').forEach(function (t) { t.classList.toggle('apt-tab_on', t.contains(r) && r.checked); });
      var checked = form.querySelector('input[name=span]:checked'); if (checked) { checked.dispatchEvent(new Event('change')); }
    });
  });
})();
