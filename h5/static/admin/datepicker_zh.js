/* The back office's date pickers in Chinese (issue 16): Flask-Admin's daterangepicker
   starts with English labels (Su Mo …, Apply / Cancel). This runs before Flask-Admin's
   own page-ready code and gives every picker a Chinese locale; the range separator
   " to " stays, Flask-Admin's filters parse it on the server. */
(function ($) {
  if (!$) { return; }
  var zh = {
    applyLabel: '确定', cancelLabel: '取消', fromLabel: '从', toLabel: '至',
    weekLabel: '周', customRangeLabel: '自定义',
    daysOfWeek: ['日', '一', '二', '三', '四', '五', '六'],
    monthNames: ['1月', '2月', '3月', '4月', '5月', '6月', '7月', '8月', '9月', '10月', '11月', '12月'],
    firstDay: 1
  };
  $(function () {
    var original = $.fn.daterangepicker;
    if (!original) { return; }
    $.fn.daterangepicker = function (options, callback) {
      var merged = $.extend(true, {}, options || {});
      merged.locale = $.extend({}, zh, merged.locale || {});
      return original.call(this, merged, callback);
    };
  });
})(window.jQuery);
