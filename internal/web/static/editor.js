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
    ta.addEventListener('scroll', function () { gutter.scrollTop = ta.scrollTop; });
    update();
  });
})();
