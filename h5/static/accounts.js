/* Account pages: 获取验证码 with its countdown, and the captcha's 换一张. No framework. */
(function () {
  function csrf(form) {
    var el = form && form.querySelector('input[name="csrf_token"]');
    return el ? el.value : '';
  }
  function countdown(btn, seconds) {
    btn.disabled = true;
    var left = seconds;
    btn.textContent = left + '秒后重新获取';
    var timer = setInterval(function () {
      left -= 1;
      if (left <= 0) { clearInterval(timer); btn.disabled = false; btn.textContent = '重新获取'; }
      else { btn.textContent = left + '秒后重新获取'; }
    }, 1000);
  }
  document.querySelectorAll('.hall-sms-btn').forEach(function (btn) {
    btn.addEventListener('click', function () {
      var form = btn.closest('form');
      var status = form.querySelector('.hall-sms-status');
      var body = new URLSearchParams();
      if (btn.dataset.phone) {
        var input = form.querySelector('[name="' + btn.dataset.phone + '"]');
        body.append('phone', input ? input.value : '');
      }
      /* The captcha step-up: shown once the hall asked for it, sent along from then on. */
      var step = form.querySelector('.hall-sms-captcha');
      if (step) { body.append('captcha', step.querySelector('input').value); }
      btn.disabled = true;
      fetch(btn.dataset.url, {
        method: 'POST', credentials: 'same-origin', body: body,
        headers: {'X-CSRFToken': csrf(form), 'Content-Type': 'application/x-www-form-urlencoded'}
      }).then(function (r) { return r.json().catch(function () { return {ok: false, message: '网络异常，请稍后再试'}; }); })
        .then(function (data) {
          status.textContent = data.message || '';
          status.className = 'hall-field-hint hall-sms-status ' + (data.ok ? 'is-ok' : 'is-error');
          if (data.captcha || step) { showCaptcha(step || addCaptcha(btn), data.captcha); }
          if (data.ok) { countdown(btn, data.resend_after || 60); }
          else if (data.retry_after && data.retry_after < 300) { countdown(btn, data.retry_after); }
          else { btn.disabled = false; }
        }, function () {
          status.textContent = '网络异常，请稍后再试';
          status.className = 'hall-field-hint hall-sms-status is-error';
          btn.disabled = false;
        });
    });
  });
  function refresh(img) { img.src = img.dataset.src + '&t=' + Date.now(); }
  /* The step-up's cell (图形验证码), made below the SMS field the first time it is asked
     for; pages that never need it carry no captcha markup. */
  function addCaptcha(btn) {
    var cell = btn.closest('.weui-cell'), step = document.createElement('div');
    step.className = 'weui-cell weui-cell_active weui-cell_vcode hall-sms-captcha';
    var hd = document.createElement('div'), label = document.createElement('label');
    hd.className = 'weui-cell__hd'; label.className = 'weui-label'; label.textContent = '图形验证码';
    var bd = document.createElement('div'), input = document.createElement('input');
    bd.className = 'weui-cell__bd'; input.className = 'weui-input hall-sms-captcha__input';
    input.id = 'sms-captcha'; label.htmlFor = input.id;
    input.placeholder = '请输入图中字符'; input.maxLength = 8; input.autocomplete = 'off';
    var ft = document.createElement('div'), img = document.createElement('img');
    ft.className = 'weui-cell__ft'; img.className = 'weui-vcode-img hall-sms-captcha__img';
    img.alt = '图形验证码'; img.title = '看不清？换一张';
    hd.appendChild(label); bd.appendChild(input); ft.appendChild(img);
    step.appendChild(hd); step.appendChild(bd); step.appendChild(ft);
    cell.parentNode.insertBefore(step, cell.nextSibling);
    img.addEventListener('click', function () { refresh(img); });
    watchCaptcha(img);
    return step;
  }
  /* Each captcha image allows one guess: after every press the step shows a fresh one. */
  function showCaptcha(step, url) {
    var img = step.querySelector('img');
    if (url) { img.dataset.src = url; }
    step.querySelector('input').value = '';
    refresh(img);
  }
  /* The captcha image cannot be drawn (its store is down): say so beside it. */
  function watchCaptcha(img) {
    img.addEventListener('error', captchaDown);
    if (img.complete && img.getAttribute('src') && !img.naturalWidth) { captchaDown.call(img); }
    img.addEventListener('load', function () {
      var cell = img.closest('.weui-cell'), note = cell && cell.nextElementSibling;
      if (note && note.classList.contains('hall-captcha-down')) { note.remove(); }
    });
  }
  function captchaDown() {
    var cell = this.closest('.weui-cell'), note = cell && cell.nextElementSibling;
    if (!cell) { return; }
    if (!note || !note.classList.contains('hall-captcha-down')) {
      note = document.createElement('p');
      note.className = 'hall-field-hint hall-captcha-down is-error';
      note.setAttribute('role', 'alert');
      cell.parentNode.insertBefore(note, cell.nextSibling);
    }
    note.textContent = '图形验证码暂时无法显示，请稍后点击“换一张”重试。';
  }
  document.querySelectorAll('.hall-captcha').forEach(watchCaptcha);
  document.querySelectorAll('.hall-captcha').forEach(function (img) {
    img.addEventListener('click', function () { refresh(img); });
  });
  document.querySelectorAll('.hall-captcha-refresh').forEach(function (a) {
    a.addEventListener('click', function (e) {
      e.preventDefault();
      var img = a.closest('form').querySelector('.hall-captcha');
      if (img) { refresh(img); }
    });
  });
  document.querySelectorAll('[data-confirm]').forEach(function (el) {
    el.addEventListener('click', function (e) {
      if (!window.confirm(el.dataset.confirm)) { e.preventDefault(); }
    });
  });
  /* 证券公司 → 营业部: show only the chosen broker's branches. */
  var broker = document.getElementById('broker'), branch = document.getElementById('branch');
  if (broker && branch) {
    var all = Array.prototype.slice.call(branch.options);
    var filter = function () {
      var keep = branch.value;
      branch.innerHTML = '';
      all.forEach(function (o) {
        if (!o.value || !broker.value || o.dataset.broker === broker.value) { branch.appendChild(o); }
      });
      branch.value = Array.prototype.some.call(branch.options, function (o) { return o.value === keep; }) ? keep : '';
    };
    broker.addEventListener('change', filter);
    filter();
  }
  /* 用户类型 → 证件类型 */
  var holder = document.getElementById('holder_type'), idType = document.getElementById('id_type');
  if (holder && idType && idType.dataset.types) {
    var types = JSON.parse(idType.dataset.types);
    var fill = function () {
      var keep = idType.value, list = types[holder.value] || [];
      idType.innerHTML = '<option value="">请选择证件类型</option>';
      list.forEach(function (t) {
        var o = document.createElement('option'); o.value = t[0]; o.textContent = t[1]; idType.appendChild(o);
      });
      if (list.some(function (t) { return t[0] === keep; })) { idType.value = keep; }
      else if (list.length) { idType.value = list[0][0]; }
    };
    /* the hint under 证件号码 says what the chosen type's number looks like */
    var hint = document.getElementById('id-number-hint');
    var say = function () {
      var all = [];
      Object.keys(types).forEach(function (k) { all = all.concat(types[k]); });
      var t = all.filter(function (x) { return x[0] === idType.value; })[0];
      if (hint) { hint.textContent = t ? t[2] : ''; }
    };
    holder.addEventListener('change', function () { fill(); say(); });
    idType.addEventListener('change', say);
    fill();
    say();
  }
})();
