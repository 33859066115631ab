/* 申请预约: choosing a date reloads that date's slots (remaining places) from slots.json;
   data-day on the slot list names the date its options are for. */
(function () {
  var day = document.getElementById('day'), slot = document.getElementById('template_id');
  if (!day || !slot) { return; }
  day.addEventListener('change', function () {
    var url = day.getAttribute('data-slots-url') + '&day=' + encodeURIComponent(day.value);
    fetch(url, {credentials: 'same-origin'}).then(function (r) { return r.json(); }).then(function (data) {
      slot.innerHTML = '<option value="">请选择预约时段</option>';
      (data.slots || []).forEach(function (s) {
        var o = document.createElement('option');
        o.value = s.id; o.disabled = !s.remaining;
        o.textContent = s.label + (s.remaining ? '（余' + s.remaining + '）' : '（已约满）');
        slot.appendChild(o);
      });
      slot.setAttribute('data-day', data.day || '');
    });
  });
})();
