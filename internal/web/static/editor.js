// Herold cockpit: line numbers for code editors (textarea.code and
// textarea[data-lines]). Without JavaScript they stay plain textareas;
// errors name their line in words, and "go to line" buttons select it.
(function () {
  'use strict';
  document.querySelectorAll('textarea.code, textarea[data-lines]').forEach(function (ta) {
    var wrap = document.createElement('div');
    wrap.className = 'gutter-wrap';
    var gutter = document.createElement('pre');
    gutter.className = 'gutter';
    gutter.setAttribute('aria-hidden', 'true');
    ta.parentNode.insertBefore(wrap, ta);
    wrap.appendChild(gutter);
    wrap.appendChild(ta);
    var shown = 0;
    function update() {
      var n = ta.value.split('\n').length;
      if (n !== shown) {
        var out = [];
        for (var i = 1; i <= n; i++) {
          out.push(i);
        }
        gutter.textContent = out.join('\n');
        shown = n;
      }
      gutter.scrollTop = ta.scrollTop;
    }
    ta.addEventListener('input', update);
    // A script that sets the value fires scroll (not input, which means
    // the person typed).
    ta.addEventListener('scroll', update);
    update();
  });
})();

// Placeholders from recent events ([data-insert]) get an "Insert" button
// that puts the placeholder at the cursor of the field edited last (the
// HTML part at first) and updates the preview.
(function () {
  'use strict';
  var panel = document.getElementById('placeholders');
  var form = document.getElementById('template-form');
  if (!panel || !form) {
    return;
  }
  var target = document.getElementById('f-html');
  form.querySelectorAll('#f-subject, #f-html, #f-text').forEach(function (el) {
    el.addEventListener('focus', function () { target = el; });
  });
  panel.querySelectorAll('[data-insert]').forEach(function (code) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'button small secondary';
    b.textContent = panel.dataset.insertLabel;
    b.setAttribute('aria-label', panel.dataset.insertLabel + ' ' + code.dataset.insert);
    b.addEventListener('click', function () {
      var v = code.dataset.insert;
      var start = target.selectionStart || 0;
      var end = target.selectionEnd || start;
      target.value = target.value.slice(0, start) + v + target.value.slice(end);
      target.focus();
      target.setSelectionRange(start + v.length, start + v.length);
      target.dispatchEvent(new Event('input', { bubbles: true }));
    });
    code.parentNode.insertBefore(b, code);
    code.parentNode.insertBefore(document.createTextNode(' '), code);
  });
})();
