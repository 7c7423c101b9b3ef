// Herold cockpit: small enhancements on top of pages that work without
// JavaScript. Loaded as a file (the Content-Security-Policy allows no inline
// script).
(function () {
  'use strict';

  // A form sent back with mistakes starts with their summary: the keyboard
  // focus moves there, so that a screen reader reads it and Tab goes on
  // into the form. (Without JavaScript the summary is still at the top,
  // announced by role=alert.)
  var summary = document.querySelector('.error-summary');
  if (summary) {
    summary.focus();
  }

  // Forms and buttons with data-confirm ask before they submit.
  document.addEventListener('submit', function (e) {
    var btn = e.submitter;
    var msg = (btn && btn.dataset.confirm) || e.target.dataset.confirm;
    if (msg && !window.confirm(msg)) {
      e.preventDefault();
    }
  });

  // "Select all" checkboxes.
  document.querySelectorAll('[data-select-all]').forEach(function (box) {
    var name = box.dataset.selectAll;
    box.addEventListener('change', function () {
      box.form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (c) {
        c.checked = box.checked;
      });
    });
  });

  // "Go to line" buttons next to template errors select that line.
  document.addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('[data-goto-line]');
    if (b) {
      gotoLine(document.getElementById(b.dataset.gotoField), parseInt(b.dataset.gotoLine, 10));
    }
  });

  function gotoLine(el, line) {
    if (!el || !line) {
      return;
    }
    var lines = el.value.split('\n');
    var start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) {
      start += lines[i].length + 1;
    }
    var end = start + (lines[line - 1] || '').length;
    el.focus();
    if (el.setSelectionRange) {
      el.setSelectionRange(start, end);
    }
    var lh = parseFloat(window.getComputedStyle(el).lineHeight) || 18;
    el.scrollTop = Math.max(0, (line - 3) * lh);
  }

  var form = document.getElementById('template-form');
  if (form && form.dataset.previewUrl) {
    livePreview(form);
  }

  // livePreview renders the template on the server while the admin types
  // (debounced), shows the result in the sandboxed iframe and puts problems
  // next to their fields.
  function livePreview(form) {
    var url = form.dataset.previewUrl;
    var gotoLabel = form.dataset.gotoLabel || '{line}';
    var status = document.getElementById('preview-status');
    var frame = document.getElementById('preview-html');
    var subject = document.getElementById('preview-subject');
    var text = document.getElementById('preview-text');
    var panel = document.getElementById('preview');
    var timer = null;
    var seq = 0;
    // Sample data generated from the placeholders follows the content
    // until the admin edits it.
    var sample = form.elements.sample_data;
    var generated = !!(sample && sample.hasAttribute('data-generated'));

    function value(name) {
      var el = form.elements[name];
      return el ? el.value : '';
    }

    function run() {
      var mine = ++seq;
      status.textContent = status.dataset.busy;
      fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': value('csrf') },
        body: JSON.stringify({
          locale: value('locale'), subject: value('subject'), html: value('html'),
          text: value('text'), data: value('sample_data'), generated: generated
        })
      }).then(function (r) {
        if (!r.ok && r.status !== 400) {
          throw new Error('preview ' + r.status);
        }
        return r.json();
      }).then(function (res) {
        if (mine === seq) {
          show(res);
        }
      }).catch(function () {
        if (mine === seq) {
          status.textContent = status.dataset.failed;
          status.classList.add('stale');
        }
      });
    }

    function show(res) {
      if (generated && res.sample) {
        sample.value = res.sample;
        sample.dispatchEvent(new Event('scroll'));
      }
      document.querySelectorAll('[data-live-errors]').forEach(function (ul) {
        ul.textContent = '';
      });
      form.querySelectorAll('[data-preview]').forEach(function (el) {
        el.removeAttribute('aria-invalid');
      });
      (res.problems || []).forEach(function (p) {
        var ul = document.querySelector('[data-live-errors="' + (p.field || '') + '"]') ||
          document.getElementById('live-other');
        var li = document.createElement('li');
        li.textContent = p.message;
        if (p.raw) {
          var raw = document.createElement('small');
          raw.className = 'raw';
          raw.textContent = p.raw;
          li.appendChild(document.createTextNode(' '));
          li.appendChild(raw);
        }
        var input = p.field ? document.getElementById('f-' + p.field) : null;
        if (input) {
          input.setAttribute('aria-invalid', 'true');
        }
        if (p.line && input) {
          var b = document.createElement('button');
          b.type = 'button';
          b.className = 'link';
          b.dataset.gotoField = 'f-' + p.field;
          b.dataset.gotoLine = p.line;
          b.textContent = gotoLabel.replace('{line}', p.line);
          li.appendChild(document.createTextNode(' '));
          li.appendChild(b);
        }
        ul.appendChild(li);
      });
      if (res.ok) {
        subject.textContent = res.subject;
        frame.srcdoc = res.html;
        text.textContent = res.text;
        status.textContent = status.dataset.ok;
        status.classList.remove('stale');
        panel.classList.remove('stale');
      } else {
        status.textContent = status.dataset.stale;
        status.classList.add('stale');
        panel.classList.add('stale');
      }
    }

    form.addEventListener('input', function (e) {
      if (!e.target.hasAttribute('data-preview')) {
        return;
      }
      if (e.target === sample) {
        generated = false;
      }
      clearTimeout(timer);
      timer = setTimeout(run, 350);
    });
  }
})();

// Status switches (select[data-autosubmit]) apply on change: the form is
// posted in the background and the notice appears in the row, so the page
// neither reloads nor jumps. Without JavaScript the form's button remains;
// on any failure the form is submitted the ordinary way.
(function () {
  'use strict';
  document.querySelectorAll('select[data-autosubmit]').forEach(function (sel) {
    var form = sel.form;
    var notice = form.querySelector('.status-notice');
    form.querySelectorAll('[data-noscript]').forEach(function (b) { b.hidden = true; });
    sel.addEventListener('change', function () {
      sel.disabled = true;
      var body = new URLSearchParams(new FormData(form));
      body.set(sel.name, sel.value);
      fetch(form.action, {
        method: 'POST', body: body, credentials: 'same-origin',
        headers: {'Accept': 'application/json'}
      }).then(function (r) {
        if (!r.ok) { throw new Error('status ' + r.status); }
        return r.json();
      }).then(function (res) {
        sel.disabled = false;
        sel.className = 'n-' + res.status;
        if (notice) { notice.textContent = res.notice; }
      }).catch(function () {
        sel.disabled = false;
        form.submit();
      });
    });
  });
  // The schedule builder shows only the fields of the chosen repeat
  // (without JavaScript all are shown and the choice decides); "advanced"
  // opens the disclosure with the cron expression.
  var repeat = document.getElementById('f-repeat');
  if (repeat) {
    var showRepeat = function () {
      document.querySelectorAll('[data-repeat]').forEach(function (f) {
        f.hidden = f.dataset.repeat.split(' ').indexOf(repeat.value) < 0;
      });
      if (repeat.value === 'advanced') {
        document.getElementById('advanced').open = true;
      }
    };
    repeat.addEventListener('change', showRepeat);
    showRepeat();
  }
  // A recipient picked from the list joins its list at once (without
  // JavaScript it joins when the form is saved).
  document.querySelectorAll('[data-add-to]').forEach(function (input) {
    input.addEventListener('change', function () {
      var list = document.getElementById(input.dataset.addTo);
      var v = input.value.trim();
      if (!list || !v) { return; }
      list.value = list.value.replace(/\s+$/, '') + (list.value.trim() ? '\n' : '') + v;
      input.value = '';
    });
  });
})();
