// Herold's in-app inbox: <herold-inbox> (a bell with the unread badge and
// a panel with the feed) and <herold-toast> (new items pop up), plus
// HeroldInbox.connect for hosts that draw their own UI. No build step, no
// dependencies; every text from the feed goes into the page as text
// (textContent), never as HTML. See docs/inbox.md.
(() => {
  'use strict';
  if (window.HeroldInbox) return;

  const strings = {
    de: {title: 'Benachrichtigungen', bell: 'Benachrichtigungen öffnen', markAll: 'Alle als gelesen markieren',
      archive: 'Archivieren', empty: 'Keine Benachrichtigungen', missed: 'Verpasst', close: 'Schließen',
      offline: 'Verbindung unterbrochen – wird wiederhergestellt …', expired: 'Sitzung abgelaufen – bitte Seite neu laden.'},
    en: {title: 'Notifications', bell: 'Open notifications', markAll: 'Mark all as read',
      archive: 'Archive', empty: 'No notifications', missed: 'Missed', close: 'Close',
      offline: 'Connection lost – reconnecting …', expired: 'Session expired – please reload the page.'},
  };
  const lang = (el) => {
    const l = (el.getAttribute('lang') || document.documentElement.lang || navigator.language || 'en').slice(0, 2).toLowerCase();
    return strings[l] ? l : 'en';
  };

  // Feed is one connection to a contact's feed: the items by seq, the
  // counts, and a live stream that resumes where it left off.
  class Feed extends EventTarget {
    constructor({server, workspace, token}) {
      super();
      this.base = server.replace(/\/$/, '') + '/v1/feed/' + encodeURIComponent(workspace);
      this.token = token;
      this.items = new Map();
      this.counts = {unread: 0, unseen: 0, version: 0};
      this.lastId = '';
      this.loaded = false;
      this.open();
    }
    open() {
      let url = this.base + '/stream?token=' + encodeURIComponent(this.token);
      if (this.lastId) url += '&last_event_id=' + encodeURIComponent(this.lastId);
      const es = new EventSource(url);
      this.es = es;
      es.addEventListener('counts', (e) => {
        if (e.lastEventId) this.lastId = e.lastEventId;
        this.setCounts(JSON.parse(e.data));
        if (!this.loaded) this.load();
        this.emit('online');
      });
      es.addEventListener('item', (e) => {
        this.lastId = e.lastEventId;
        this.put(JSON.parse(e.data), this.loaded);
      });
      es.onerror = () => {
        this.emit('offline');
        if (es.readyState === EventSource.CLOSED) {
          // Refused or a proxy answered: the browser gives up. Try again
          // ourselves, from where we left off, unless the token expired
          // (the probe says so; then only a new token helps).
          setTimeout(async () => {
            if (this.es !== es) return;
            await this.call('GET', '/items?limit=1');
            if (!this.expired && this.es === es) this.open();
          }, 5000);
        }
      };
    }
    async load() {
      this.loaded = true;
      const pg = await this.call('GET', '/items?limit=30');
      if (!pg) return;
      // An item that came live while this page loaded was shown then:
      // only the others were missed.
      const fresh = pg.items.filter((it) => !this.items.has(it.seq));
      for (const it of fresh) this.put(it, false);
      this.setCounts(pg.counts);
      const missed = fresh.filter((it) => !it.seen_at && !it.read_at);
      if (missed.length) this.emit('missed', missed);
    }
    put(it, live) {
      const known = this.items.has(it.seq);
      if (it.archived_at) this.items.delete(it.seq); else this.items.set(it.seq, it);
      this.emit('change');
      if (live && !known && !it.archived_at) this.emit('item', it);
    }
    setCounts(c) { this.counts = c; this.emit('counts', c); }
    emit(type, detail) { this.dispatchEvent(new CustomEvent(type, {detail})); }
    list() { return [...this.items.values()].sort((a, b) => b.seq - a.seq); }
    newest() { return this.list().reduce((m, it) => Math.max(m, it.seq), 0); }
    async call(method, path, body) {
      let res;
      try {
        res = await fetch(this.base + path, {method, headers: Object.assign(
          {'Authorization': 'Bearer ' + this.token}, body ? {'Content-Type': 'application/json'} : {}),
        body: body ? JSON.stringify(body) : undefined});
      } catch (e) {
        return null; // the network or the server is down: the stream retries
      }
      if (res.status === 401) { this.expired = true; this.emit('expired'); return null; }
      if (!res.ok) return null;
      return res.json();
    }
    async mark(mark, seqs, upTo, until) {
      const r = await this.call('POST', '/mark', {mark, seqs, up_to: upTo, until});
      if (r) this.setCounts(r.counts);
      return r;
    }
    markRead(seq) { return this.mark('read', [seq]); }
    markAllRead() { return this.mark('read', undefined, this.newest()); }
    markAllSeen() { return this.mark('seen', undefined, this.newest()); }
    archive(seq) { return this.mark('archived', [seq]); }
    snooze(seq, until) { return this.mark('snoozed', [seq], undefined, until.toISOString()); }
    close() { if (this.es) this.es.close(); this.es = null; }
  }

  // One connection per server, workspace and token, shared by the
  // elements of a page.
  const feeds = new Map();
  const connect = (opts) => {
    const key = [opts.server, opts.workspace, opts.token].join('\n');
    if (!feeds.has(key)) feeds.set(key, new Feed(opts));
    return feeds.get(key);
  };
  const feedOf = (el) => connect({server: el.getAttribute('server') || '', workspace: el.getAttribute('workspace'),
    token: el.getAttribute('token')});

  const css = `
    :host { font: 14px/1.4 system-ui, sans-serif; color: #1d2330; position: relative; display: inline-block; }
    button { font: inherit; cursor: pointer; }
    .bell { background: none; border: 0; padding: 6px; position: relative; font-size: 20px; }
    .badge { position: absolute; top: 0; right: 0; min-width: 18px; height: 18px; border-radius: 9px; background: #c62828;
      color: #fff; font-size: 11px; line-height: 18px; text-align: center; padding: 0 4px; box-sizing: border-box; }
    .badge:empty { display: none; }
    .panel { position: absolute; left: 0; top: 100%; width: min(360px, 92vw); max-height: 70vh; overflow: auto;
      background: #fff; border: 1px solid #d0d5dd; border-radius: 8px; box-shadow: 0 8px 24px rgba(0,0,0,.15); z-index: 1000; }
    :host([align=right]) .panel { left: auto; right: 0; }
    .bell svg { width: 22px; height: 22px; display: block; }
    .panel[hidden] { display: none; }
    header { display: flex; justify-content: space-between; align-items: center; padding: 8px 12px; border-bottom: 1px solid #eee; }
    header h2 { font-size: 15px; margin: 0; }
    header button { background: none; border: 0; color: #1a5fb4; }
    ul { list-style: none; margin: 0; padding: 0; }
    li { padding: 10px 12px; border-bottom: 1px solid #f0f0f0; }
    li.unread { background: #f3f7ff; }
    li .t { font-weight: 600; display: block; color: inherit; text-decoration: none; }
    li .b { white-space: pre-line; color: #444; margin: 2px 0; }
    li .m { font-size: 12px; color: #667; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
    li .m button, li .m a { background: none; border: 1px solid #d0d5dd; border-radius: 4px; padding: 1px 6px; color: #1a5fb4;
      text-decoration: none; font-size: 12px; }
    .missed { color: #c62828; font-weight: 600; }
    .empty, .status { padding: 16px 12px; color: #667; }
    .status:empty { display: none; }
  `;
  const sheet = () => { const s = new CSSStyleSheet(); s.replaceSync(css); return s; };
  const h = (tag, props, ...kids) => {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === 'class') el.className = v; else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v);
    }
    for (const kid of kids) if (kid != null) el.append(kid); // strings become text nodes
    return el;
  };
  const bellIcon = () => {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('fill', 'currentColor');
    path.setAttribute('d', 'M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z');
    svg.append(path);
    return svg;
  };
  const safeURL = (u) => /^(https?:\/\/|\/(?!\/))/i.test(u || '') ? u : null;
  const when = (iso, l) => new Date(iso).toLocaleString(l, {dateStyle: 'short', timeStyle: 'short'});

  class HeroldInboxElement extends HTMLElement {
    connectedCallback() {
      if (this.feed) return;
      const t = strings[lang(this)];
      this.t = t;
      const root = this.attachShadow({mode: 'open'});
      root.adoptedStyleSheets = [sheet()];
      this.badge = h('span', {class: 'badge', part: 'badge'});
      this.bell = h('button', {class: 'bell', 'aria-label': t.bell, 'aria-expanded': 'false', onclick: () => this.toggle()},
        bellIcon(), this.badge);
      this.listEl = h('ul');
      this.status = h('div', {class: 'status', role: 'status'});
      this.panel = h('section', {class: 'panel', hidden: '', 'aria-label': t.title},
        h('header', null, h('h2', null, t.title),
          h('button', {class: 'mark-all', onclick: () => this.feed.markAllRead()}, t.markAll)),
        this.status, this.listEl);
      root.append(this.bell, this.panel);
      this.feed = feedOf(this);
      this.feed.addEventListener('counts', () => this.renderBadge());
      this.feed.addEventListener('change', () => this.renderList());
      this.feed.addEventListener('offline', () => { this.status.textContent = t.offline; });
      this.feed.addEventListener('online', () => { this.status.textContent = ''; });
      this.feed.addEventListener('expired', () => { this.status.textContent = t.expired; });
      this.renderBadge();
      this.renderList();
    }
    toggle() {
      const open = this.panel.hidden;
      this.panel.hidden = !open;
      this.bell.setAttribute('aria-expanded', String(open));
      if (open && this.feed.counts.unseen > 0) this.feed.markAllSeen();
    }
    renderBadge() {
      const n = this.feed.counts.unread;
      this.badge.textContent = n > 0 ? (n > 99 ? '99+' : String(n)) : '';
    }
    renderList() {
      const t = this.t, l = lang(this);
      const items = this.feed.list();
      const rows = items.map((it) => {
        const link = safeURL(it.link);
        const title = link ? h('a', {class: 't', href: link, onclick: () => this.feed.markRead(it.seq)}, it.title)
          : h('span', {class: 't'}, it.title);
        const meta = h('div', {class: 'm'}, when(it.created_at, l),
          !it.seen_at && !it.read_at ? h('span', {class: 'missed'}, t.missed) : null,
          ...(it.actions || []).filter((a) => safeURL(a.url)).map((a) => h('a', {href: safeURL(a.url),
            onclick: () => this.feed.markRead(it.seq)}, a.label)),
          h('button', {class: 'archive', onclick: () => this.feed.archive(it.seq)}, t.archive));
        return h('li', {class: it.read_at ? 'read' : 'unread', 'data-seq': String(it.seq)}, title,
          it.body ? h('div', {class: 'b'}, it.body) : null, meta);
      });
      this.listEl.replaceChildren(...(rows.length ? rows : [h('li', {class: 'empty'}, t.empty)]));
    }
  }

  class HeroldToastElement extends HTMLElement {
    connectedCallback() {
      if (this.feed) return;
      const root = this.attachShadow({mode: 'open'});
      root.adoptedStyleSheets = [sheet()];
      const extra = new CSSStyleSheet();
      extra.replaceSync(`:host { position: fixed; right: 16px; bottom: 16px; z-index: 1001; display: flex;
        flex-direction: column; gap: 8px; width: min(340px, 92vw); }
        .toast { background: #1d2330; color: #fff; border-radius: 8px; padding: 10px 12px; box-shadow: 0 6px 18px rgba(0,0,0,.25); }
        .toast .t { font-weight: 600; } .toast .b { color: #dde; white-space: pre-line; }
        .toast button { float: right; background: none; border: 0; color: #fff; }
        .toast .missed { color: #ffb4a9; }`);
      root.adoptedStyleSheets = [root.adoptedStyleSheets[0], extra];
      this.root = root;
      this.t = strings[lang(this)];
      this.feed = feedOf(this);
      this.feed.addEventListener('item', (e) => this.show(e.detail, false));
      this.feed.addEventListener('missed', (e) => e.detail.slice(0, 3).forEach((it) => this.show(it, true)));
    }
    show(it, missed) {
      const seconds = Number(this.getAttribute('seconds') || 8);
      const el = h('div', {class: 'toast', role: 'status', 'data-seq': String(it.seq)},
        h('button', {'aria-label': this.t.close, onclick: () => el.remove()}, '×'),
        missed ? h('div', {class: 'missed'}, this.t.missed) : null,
        h('div', {class: 't'}, it.title), it.body ? h('div', {class: 'b'}, it.body) : null);
      this.root.append(el);
      if (seconds > 0) setTimeout(() => el.remove(), seconds * 1000);
    }
  }

  window.HeroldInbox = {connect, strings};
  customElements.define('herold-inbox', HeroldInboxElement);
  customElements.define('herold-toast', HeroldToastElement);
})();
