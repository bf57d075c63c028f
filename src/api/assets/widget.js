// 政搜 embeddable search box.
//   <script src="https://SERVER/widget.js" data-endpoint="https://SERVER"></script>
// Optional: data-target="#css-selector" (where to put the box; default: right after the script),
// data-placeholder, data-size (results shown, default 6), data-region / data-category /
// data-kind (fixed filters for this portal).
// Everything lives in a Shadow DOM: the host page's CSS cannot reach in, ours cannot leak out.
// Document text is only ever inserted as text; highlights are rebuilt as <mark> elements.
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script) return;
  var endpoint = (script.getAttribute('data-endpoint') || new URL(script.src, location.href).origin).replace(/\/+$/, '');
  var size = Math.max(1, Math.min(20, parseInt(script.getAttribute('data-size') || '6', 10) || 6));
  var fixed = {};
  ['region', 'category', 'kind'].forEach(function (k) {
    var v = script.getAttribute('data-' + k);
    if (v) fixed[k] = v;
  });

  // A custom tag, so a portal's generic rules (div { … }) do not even select the host, and
  // !important host styles, which beat the page's own !important rules at the shadow boundary.
  var host = document.createElement('zhengsou-search');
  host.className = 'zhengsou-widget';
  var target = script.getAttribute('data-target') && document.querySelector(script.getAttribute('data-target'));
  if (target) target.appendChild(host); else script.parentNode.insertBefore(host, script.nextSibling);
  var root = host.attachShadow({ mode: 'open' });
  var uid = 'zs' + Math.random().toString(36).slice(2, 8);

  var style = document.createElement('style');
  style.textContent = [
    ':host{all:initial !important;display:block !important;position:relative !important;max-width:40rem !important;margin:8px 0 !important;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif !important;color:#1f2328 !important;background:transparent !important;visibility:visible !important}',
    'form{display:flex;gap:6px;margin:0}',
    'input{flex:1;min-width:0;font:inherit;padding:8px 10px;border:1px solid #b9c2cc;border-radius:6px;background:#fff;color:#1f2328;margin:0}',
    'button{font:inherit;padding:8px 14px;border:0;border-radius:6px;background:#b3261e;color:#fff;cursor:pointer;margin:0}',
    ':focus-visible{outline:3px solid #0b57d0;outline-offset:1px}',
    '.panel{position:fixed;left:0;top:0;background:#fff;border:1px solid #d8dee4;border-radius:8px;box-shadow:0 8px 24px rgba(0,0,0,.15);z-index:2147483000;max-height:70vh;overflow:auto;text-align:left}',
    '.panel[hidden]{display:none}',
    'ul{list-style:none;margin:0;padding:4px 0}',
    'li{margin:0;padding:8px 12px;cursor:pointer;border-bottom:1px solid #f0f2f4}',
    'li[aria-selected="true"],li:hover{background:#eef3fd}',
    'a{color:#0b57d0;text-decoration:none;font-weight:600}',
    '.meta{color:#59636e;font-size:13px}',
    '.place{color:#b3261e;font-weight:600;margin-right:8px}',
    '.snip{font-size:14px;margin-top:2px;overflow-wrap:anywhere}',
    'mark{background:#ffe08a;color:inherit}',
    '.note{padding:10px 12px;color:#59636e;font-size:14px}',
    '.more{display:block;padding:8px 12px;font-weight:400;font-size:14px}',
    'li.sug{color:#59636e;font-size:14px;padding:6px 12px}'
  ].join('\n');
  root.appendChild(style);

  var form = document.createElement('form');
  form.setAttribute('role', 'search');
  var input = document.createElement('input');
  input.type = 'search';
  input.setAttribute('aria-label', '搜索政策文件和工作简报');
  input.placeholder = script.getAttribute('data-placeholder') || '搜索政策文件和工作简报';
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', uid + '-list');
  input.autocomplete = 'off';
  var button = document.createElement('button');
  button.type = 'submit';
  button.textContent = '搜索';
  form.appendChild(input);
  form.appendChild(button);
  var panel = document.createElement('div');
  panel.className = 'panel';
  panel.hidden = true;
  panel.tabIndex = -1;
  var status = document.createElement('div');
  status.className = 'note';
  status.setAttribute('role', 'status');
  var list = document.createElement('ul');
  list.id = uid + '-list';
  list.setAttribute('role', 'listbox');
  panel.appendChild(status);
  panel.appendChild(list);
  root.appendChild(form);
  root.appendChild(panel);

  var items = [], active = -1, timer = null, ctrl = null, lastQ = null;

  function params(q) {
    var p = new URLSearchParams({ q: q });
    Object.keys(fixed).forEach(function (k) { p.set(k, fixed[k]); });
    return p;
  }

  // The server's snippet is escaped text with <mark> tags: parse it inertly and keep only text
  // and marks, so nothing else from a document can ever become markup here.
  function snippetNodes(html) {
    var frag = document.createDocumentFragment();
    var tpl = document.createElement('template');
    tpl.innerHTML = html;
    tpl.content.childNodes.forEach(function (n) {
      if (n.nodeType === 3) frag.appendChild(document.createTextNode(n.textContent));
      else if (n.nodeName === 'MARK') {
        var m = document.createElement('mark');
        m.textContent = n.textContent;
        frag.appendChild(m);
      } else frag.appendChild(document.createTextNode(n.textContent || ''));
    });
    return frag;
  }

  // The panel is fixed to the viewport under the box, so a portal's overflow:hidden columns
  // cannot clip it; it follows the box when the page scrolls or resizes.
  function place() {
    if (panel.hidden) return;
    var r = form.getBoundingClientRect();
    var vw = document.documentElement.clientWidth || window.innerWidth;
    var vh = window.innerHeight;
    var width = Math.min(Math.max(r.width, 320), vw - 16);
    var left = Math.max(8, Math.min(r.left, vw - width - 8));
    var below = vh - r.bottom - 12;
    panel.style.left = left + 'px';
    panel.style.width = width + 'px';
    if (below >= 200 || below >= r.top) {
      panel.style.top = (r.bottom + 4) + 'px';
      panel.style.maxHeight = Math.max(120, below) + 'px';
    } else {
      panel.style.top = Math.max(8, r.top - Math.min(r.top - 12, vh * 0.7) - 4) + 'px';
      panel.style.maxHeight = Math.min(r.top - 12, vh * 0.7) + 'px';
    }
  }
  window.addEventListener('scroll', place, true);
  window.addEventListener('resize', place);

  function show() { panel.hidden = false; place(); }

  function close() {
    panel.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function select(i) {
    active = i;
    items.forEach(function (li, k) { li.setAttribute('aria-selected', k === i ? 'true' : 'false'); });
    if (i >= 0) {
      input.setAttribute('aria-activedescendant', items[i].id);
      // Scroll the panel only, never the portal page.
      var it = items[i], top = it.offsetTop, bottom = top + it.offsetHeight;
      if (top < panel.scrollTop) panel.scrollTop = top;
      else if (bottom > panel.scrollTop + panel.clientHeight) panel.scrollTop = bottom - panel.clientHeight;
    } else input.removeAttribute('aria-activedescendant');
  }

  function open(url) { window.open(url, '_blank', 'noopener'); }

  function render(q, data, sugs) {
    list.textContent = '';
    items = [];
    active = -1;
    var hits = data.hits || [];
    // Completions first: choosing one searches for it.
    sugs.filter(function (s) { return s.text !== q; }).slice(0, 4).forEach(function (s, k) {
      var li = document.createElement('li');
      li.id = uid + '-s' + k;
      li.className = 'sug';
      li.setAttribute('role', 'option');
      li.setAttribute('data-text', s.text);
      li.textContent = '搜索 “' + s.text + '”';
      li.addEventListener('mousedown', function (e) { e.preventDefault(); });
      li.addEventListener('click', function () { input.value = s.text; search(true); });
      list.appendChild(li);
      items.push(li);
    });
    var scope = fixed.region ? '（仅限' + fixed.region + '）' : '';
    var about = data.approximate ? '约 ' : '';
    status.textContent = hits.length ? '共 ' + about + data.total + ' 篇' + scope + '，按相关度排列' : '没有找到包含“' + q + '”的文章' + scope;
    hits.forEach(function (h, k) {
      var li = document.createElement('li');
      li.id = uid + '-o' + k;
      li.setAttribute('role', 'option');
      var url = endpoint + '/a/' + encodeURIComponent(h.id) + '?q=' + encodeURIComponent(q);
      var a = document.createElement('a');
      a.href = url;
      a.target = '_blank';
      a.rel = 'noopener';
      a.tabIndex = -1;
      a.textContent = h.title || h.doc_title;
      var meta = document.createElement('div');
      meta.className = 'meta';
      if (h.locality) {
        var p = document.createElement('span');
        p.className = 'place';
        p.textContent = h.locality;
        meta.appendChild(p);
      }
      meta.appendChild(document.createTextNode([h.date, h.doc_title].filter(Boolean).join(' · ')));
      li.appendChild(a);
      li.appendChild(meta);
      if (h.snippet) {
        var s = document.createElement('div');
        s.className = 'snip';
        s.appendChild(snippetNodes(h.snippet));
        li.appendChild(s);
      }
      li.addEventListener('mousedown', function (e) { e.preventDefault(); });
      li.addEventListener('click', function (e) { if (e.target !== a) open(url); });
      list.appendChild(li);
      items.push(li);
    });
    if (data.total > hits.length) {
      var moreLi = document.createElement('li');
      moreLi.id = uid + '-more';
      moreLi.setAttribute('role', 'option');
      var more = document.createElement('a');
      more.className = 'more';
      more.href = endpoint + '/?' + params(q).toString();
      more.target = '_blank';
      more.rel = 'noopener';
      more.tabIndex = -1;
      more.textContent = '查看全部 ' + about + data.total + ' 篇结果 ›';
      moreLi.appendChild(more);
      moreLi.addEventListener('mousedown', function (e) { e.preventDefault(); });
      moreLi.addEventListener('click', function (e) { if (e.target !== more) open(more.href); });
      list.appendChild(moreLi);
      items.push(moreLi);
    }
    show();
    input.setAttribute('aria-expanded', 'true');
  }

  function search(now) {
    var q = input.value.trim();
    if (!q) { close(); lastQ = null; return; }
    if (q === lastQ && !panel.hidden) return; // no double requests for the same text
    lastQ = q;
    if (ctrl) ctrl.abort();
    ctrl = new AbortController();
    var mine = ctrl;
    var slow = setTimeout(function () {
      status.textContent = '正在搜索…';
      show();
    }, now ? 0 : 150);
    var p = params(q);
    p.set('size', String(size));
    p.set('facets', 'false');
    var sug = fetch(endpoint + '/api/suggest?size=4&q=' + encodeURIComponent(q), { signal: ctrl.signal })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (j) { return j.suggestions || []; }, function () { return []; });
    var found = fetch(endpoint + '/api/search?' + p.toString(), { signal: ctrl.signal })
      .then(function (r) {
        return r.json().then(function (j) {
          if (!r.ok) throw new Error((j && j.error && j.error.message) || r.status);
          return j;
        });
      });
    Promise.all([found, sug])
      .then(function (res) { if (input.value.trim() === q) render(q, res[0], res[1]); })
      .catch(function (e) {
        if (e.name === 'AbortError') return;
        lastQ = null;
        list.textContent = '';
        items = [];
        status.textContent = '搜索服务暂时无法连接，请稍后再试。';
        show();
      })
      .then(function () { clearTimeout(slow); if (ctrl === mine) ctrl = null; });
  }

  input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(search, 250); });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    clearTimeout(timer);
    if (active >= 0) { items[active].click(); return; }
    search(true);
  });
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { close(); return; }
    if (panel.hidden || !items.length) {
      if (e.key === 'ArrowDown' && items.length) { show(); input.setAttribute('aria-expanded', 'true'); select(0); e.preventDefault(); }
      return;
    }
    if (e.key === 'ArrowDown') { e.preventDefault(); select((active + 1) % items.length); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); select(active <= 0 ? items.length - 1 : active - 1); }
    else if (e.key === 'Enter' && active >= 0) {
      e.preventDefault();
      var it = items[active];
      if (it.classList.contains('sug')) { input.value = it.getAttribute('data-text'); search(true); }
      else open(it.querySelector('a').href);
    }
  });
  input.addEventListener('focus', function () { if (items.length) { show(); input.setAttribute('aria-expanded', 'true'); } });
  document.addEventListener('click', function (e) { if (e.target !== host) close(); });
})();
