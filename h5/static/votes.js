/* Ballot page (V-4): "您还有 N 表决权未分配" as the holder types, and the order in which
   opinions were given (总议案 precedence). The server checks everything again. */
(function () {
  function fmt(n) { return n.toLocaleString('en-US'); }
  function parse(text) {
    text = (text || '').replace(/,/g, '').trim();
    if (text === '') return 0;
    return /^\d+$/.test(text) ? parseInt(text, 10) : NaN;
  }
  document.querySelectorAll('form.vote-form').forEach(function (form) {
    var sharesInput = form.querySelector('#holder_shares');
    var order = form.querySelector('.vote-order');
    var submit = form.querySelector('.vote-submit');

    function shares(box) {
      if (box.dataset.shares) return parseInt(box.dataset.shares, 10);
      return sharesInput ? parse(sharesInput.value) : NaN;
    }
    function update() {
      var bad = false;
      form.querySelectorAll('.vote-election').forEach(function (box) {
        var seats = parseInt(box.dataset.seats, 10), held = shares(box);
        var rights = isNaN(held) ? NaN : held * seats, used = 0, invalid = false;
        box.querySelectorAll('.vote-votes').forEach(function (input) {
          var v = parse(input.value);
          if (isNaN(v)) { invalid = true; input.classList.add('vote-votes_bad'); }
          else { used += v; input.classList.remove('vote-votes_bad'); }
        });
        var n = box.querySelector('.vote-remaining__n'), line = box.querySelector('.vote-remaining');
        var total = box.querySelector('.vote-rights__total');
        if (!box.dataset.shares && total && !isNaN(rights)) total.textContent = fmt(held) + '*' + seats + '=' + fmt(rights);
        if (isNaN(rights)) { n.textContent = '—'; return; }
        var left = rights - used;
        if (invalid) {
          line.innerHTML = '* 表决权数须为非负整数'; bad = true;
        } else if (left < 0) {
          line.innerHTML = '* 已分配 <b>' + fmt(used) + '</b> 表决权，超出本议案拥有的表决权数 <b>' + fmt(rights) +
            '</b> 共 <b class="vote-remaining__n">' + fmt(-left) + '</b>，请调整';
          bad = true;
        } else {
          line.innerHTML = '* 您还有 <b class="vote-remaining__n">' + fmt(left) + '</b> 表决权未分配';
        }
        line.classList.toggle('vote-remaining_over', invalid || left < 0);
      });
      if (submit) submit.disabled = bad;
    }
    form.addEventListener('input', update);
    form.addEventListener('change', function (event) {
      var t = event.target;
      if (order && t.type === 'radio') {
        var keys = order.value ? order.value.split(',') : [];
        if (keys.indexOf(t.name) < 0) { keys.push(t.name); order.value = keys.join(','); }
      }
    });
    if (sharesInput && form.dataset.lookup) {
      var acct = form.querySelector('#holder_account'), hint = form.querySelector('#holder-hint');
      acct.addEventListener('change', function () {
        var value = acct.value.trim().toUpperCase();
        if (!value) return;
        fetch(form.dataset.lookup + '?holder=' + encodeURIComponent(value), {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
          .then(function (r) { return r.json(); })
          .then(function (data) {
            if (data.found) {
              form.querySelector('#holder_name').value = data.name;
              sharesInput.value = data.shares;
              hint.textContent = '已匹配：' + data.name + '，持有 ' + fmt(data.shares) + ' 股';
            } else if (sharesInput.readOnly) {
              form.querySelector('#holder_name').value = ''; sharesInput.value = '';
              hint.textContent = data.message;
            }
            update();
          });
      });
    }
    update();
  });
})();
