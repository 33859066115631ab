/* 获取电子凭证: the change query takes a date range, the others one date. */
(function () {
  var kind = document.getElementById('kind');
  if (!kind) { return; }
  function show() {
    var range = kind.value === 'changes';
    document.getElementById('date-range').style.display = range ? '' : 'none';
    document.getElementById('one-day').style.display = range ? 'none' : '';
  }
  kind.addEventListener('change', show); show();
})();
