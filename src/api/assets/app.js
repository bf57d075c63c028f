// 政搜 search page: progressive enhancement of the server-rendered page.
// Without this script every link and the form work as plain page loads; with it, searches,
// facets and paging swap #main in place (no reload), the URL stays the state (pushState), one
// request is in flight at a time, and the box offers suggestions.
(function () {
  'use strict';
  var inflight = null; // {url, ctrl}
  var SMALL = window.matchMedia ? window.matchMedia('(max-width: 760px)') : { matches: false };

  function $(id) { return document.getElementById(id); }

  function status(text) { var s = $('status'); if (s) s.textContent = text || ''; }

  function isPageUrl(u) {
    return u.origin === location.origin && (u.pathname === '/' || u.pathname.indexOf('/a/') === 0);
  }

  function afterSwap() {
    var f = $('filters');
    if (f && SMALL.matches) f.open = false;
  }

  function showError(url) {
    var main = $('main');
    status('');
    var old = main.querySelector('.banner.neterr');
    if (old) old.remove();
    var b = document.createElement('div');
    b.className = 'banner error neterr';
    b.setAttribute('role', 'alert');
    b.textContent = '无法连接服务器，请检查网络后重试。';
    var retry = document.createElement('button');
    retry.type = 'button';
    retry.textContent = '重试';
    retry.addEventListener('click', function () { go(url, false, false); });
    b.appendChild(retry);
    main.insertBefore(b, main.firstChild);
    retry.focus();
  }

  // Loads `url` and swaps #main; `push` adds a history entry; `focusResults` moves focus to the
  // result summary (after a facet or page link, so keyboard users continue from the results).
  function go(url, push, focusResults) {
    var u = new URL(url, location.href);
    var key = u.pathname + u.search;
    if (inflight && inflight.url === key) return; // the same request is already on its way
    if (inflight) inflight.ctrl.abort();
    var ctrl = new AbortController();
    inflight = { url: key, ctrl: ctrl };
    var typed = $('q') ? $('q').value : null;
    document.body.classList.add('loading');
    $('main').setAttribute('aria-busy', 'true');
    var slow = setTimeout(function () { status('正在搜索…'); }, 150);
    fetch(key, { signal: ctrl.signal, headers: { Accept: 'text/html' } })
      .then(function (r) { return r.text(); })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, 'text/html');
        var fresh = doc.getElementById('main');
        if (!fresh) throw new Error('unexpected page');
        $('main').replaceWith(document.adoptNode(fresh));
        var hidden = doc.getElementById('hidden-filters');
        if (hidden && $('hidden-filters')) $('hidden-filters').replaceWith(document.adoptNode(hidden));
        var q = doc.getElementById('q');
        // The box shows the query of the page shown (after Back too), unless the user has
        // typed something new while the page was loading.
        if (q && $('q') && $('q').value === typed) $('q').value = q.value;
        document.title = doc.title;
        if (push) history.pushState({ zs: 1, inapp: true }, '', key);
        afterSwap();
        if (focusResults) {
          var h = $('summary') || document.querySelector('h1');
          if (h) { h.setAttribute('tabindex', '-1'); h.focus({ preventScroll: false }); }
        }
        if (push) window.scrollTo(0, 0);
      })
      .catch(function (e) {
        if (e.name === 'AbortError') return;
        showError(key);
      })
      .then(function () {
        clearTimeout(slow);
        if (inflight && inflight.ctrl === ctrl) {
          inflight = null;
          document.body.classList.remove('loading');
          var m = $('main');
          if (m) m.removeAttribute('aria-busy');
          if ($('status') && $('status').textContent === '正在搜索…') status('');
        }
      });
  }

  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form.id !== 'search') return;
    e.preventDefault();
    closeSuggest();
    var params = new URLSearchParams();
    new FormData(form).forEach(function (v, k) { if (String(v).trim() !== '') params.append(k, v); });
    var qs = params.toString();
    go('/' + (qs ? '?' + qs : ''), true, false);
  });

  document.addEventListener('click', function (e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    var a = e.target.closest ? e.target.closest('a[href]') : null;
    if (!a || a.target || a.hasAttribute('download')) return;
    var u = new URL(a.href, location.href);
    if (!isPageUrl(u)) return;
    // The article view's "back" goes back in history when it came from a search here.
    if (a.id === 'back' && history.state && history.state.inapp) { e.preventDefault(); history.back(); return; }
    e.preventDefault();
    go(u.href, true, true);
  });

  window.addEventListener('popstate', function () { go(location.href, false, false); });
  history.replaceState({ zs: 1 }, '', location.href);

  // Suggestions: completions from the corpus's vocabulary, as the user types.
  var box = $('q'), list = $('suggest'), timer = null, sugCtrl = null, active = -1, items = [];
  var suggestOff = false;
  var LABELS = { practice: '做法', word: '词语', title: '标题', number: '文号', place: '地区', recent: '最近搜索' };

  function closeSuggest() {
    if (!list) return;
    list.hidden = true; list.textContent = ''; items = []; active = -1;
    if (box) { box.setAttribute('aria-expanded', 'false'); box.removeAttribute('aria-activedescendant'); }
  }

  function mark(i) {
    active = i;
    items.forEach(function (li, k) { li.setAttribute('aria-selected', k === i ? 'true' : 'false'); });
    if (i >= 0) box.setAttribute('aria-activedescendant', items[i].id);
    else box.removeAttribute('aria-activedescendant');
  }

  function pick(text) {
    box.value = text;
    closeSuggest();
    $('search').requestSubmit ? $('search').requestSubmit() : $('search').submit();
  }

  function fetchSuggest() {
    var v = box.value.trim();
    if (!v || suggestOff) { closeSuggest(); return; }
    if (sugCtrl) sugCtrl.abort();
    sugCtrl = new AbortController();
    fetch('/api/suggest?size=8&q=' + encodeURIComponent(v), { signal: sugCtrl.signal })
      .then(function (r) {
        if (r.status === 404) { suggestOff = true; return null; }
        return r.ok ? r.json() : null;
      })
      .then(function (data) {
        if (!data || box.value.trim() !== v) return;
        list.textContent = ''; items = []; active = -1;
        (data.suggestions || []).forEach(function (s, k) {
          var li = document.createElement('li');
          li.id = 'sug-' + k;
          li.setAttribute('role', 'option');
          var t = document.createElement('span'); t.textContent = s.text;
          var kind = document.createElement('span'); kind.className = 'k';
          kind.textContent = (LABELS[s.kind] || '') + (s.count ? ' · ' + s.count + ' 篇' : '');
          li.appendChild(t); li.appendChild(kind);
          li.addEventListener('mousedown', function (e) { e.preventDefault(); pick(s.text); });
          list.appendChild(li); items.push(li);
        });
        list.hidden = items.length === 0;
        box.setAttribute('aria-expanded', items.length ? 'true' : 'false');
      })
      .catch(function () {});
  }

  if (box && list) {
    box.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(fetchSuggest, 120); });
    box.addEventListener('keydown', function (e) {
      if (list.hidden || !items.length) return;
      if (e.key === 'ArrowDown') { e.preventDefault(); mark((active + 1) % items.length); }
      else if (e.key === 'ArrowUp') { e.preventDefault(); mark(active <= 0 ? items.length - 1 : active - 1); }
      else if (e.key === 'Escape') { e.preventDefault(); closeSuggest(); }
      else if (e.key === 'Enter' && active >= 0) { e.preventDefault(); pick(items[active].firstChild.textContent); }
    });
    box.addEventListener('blur', function () { setTimeout(closeSuggest, 100); });
  }

  afterSwap();
})();
