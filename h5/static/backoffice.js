/* The back office's clicks that Flask-Admin wrote as inline onclick= handlers, which the
   Content-Security-Policy refuses (see h5/templates/admin/): bulk actions, the filter
   menu, the delete confirmation. */
document.addEventListener('click', function (e) {
  var el = e.target.closest('[data-fa-action], [data-fa-prevent], [data-fa-confirm]');
  if (!el) { return; }
  if (el.hasAttribute('data-fa-action')) {
    e.preventDefault();
    if (window.modelActions) { window.modelActions.execute(el.getAttribute('data-fa-action')); }
  } else if (el.hasAttribute('data-fa-prevent')) {
    e.preventDefault();
  } else if (!window.confirm(el.getAttribute('data-fa-confirm'))) {
    e.preventDefault();
  }
});
