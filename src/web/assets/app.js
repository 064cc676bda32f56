// pprof-lsp web view: draws what the server computed. Costs, labels and
// rankings all come from the server; this script lays out boxes, keeps
// the view's state in the URL's query string, and follows the host's
// generation number so the page redraws when the host's profile changes.
'use strict';

(() => {
  const ROW = 18;
  /** Frames narrower than this many pixels are not drawn. */
  const MIN_PX = 0.5;
  /** Frames narrower than this get no text. */
  const MIN_TEXT_PX = 28;
  const POLL_MS = 1000;
  const FILTERS = ['focus', 'ignore', 'hide', 'show', 'show_from', 'tagfocus', 'tagignore'];
  /** Parameters each endpoint depends on (others would split the server's memo). */
  const COMMON = ['token', 'si', ...FILTERS];
  const ENDPOINT_PARAMS = {
    flame: [...COMMON, 'zoom'],
    top: [...COMMON, 'lines', 'sort'],
    source: [...COMMON, 'file'],
    files: COMMON,
  };

  const $ = (selector) => document.querySelector(selector);
  const el = (tag, props = {}, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'class') e.className = v;
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else e[k] = v;
    }
    e.append(...children);
    return e;
  };

  let host = null; // the last api/state answer
  let flameData = null; // the last api/flame answer
  let flameLayout = null; // per frame: parent, path
  let pollFailures = 0;

  const params = () => new URLSearchParams(window.location.search);

  /** Changes URL parameters (null removes one) and redraws. */
  function setParams(changes, push = true) {
    const p = params();
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === undefined) p.delete(k);
      else p.set(k, v);
    }
    const url = `${window.location.pathname}?${p}`;
    if (push) window.history.pushState(null, '', url);
    else window.history.replaceState(null, '', url);
    render();
  }

  function apiUrl(endpoint, extra = {}) {
    const p = params();
    const q = new URLSearchParams();
    for (const name of ENDPOINT_PARAMS[endpoint] ?? ['token']) {
      if (p.has(name)) q.set(name, p.get(name));
    }
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return `api/${endpoint}?${q}`;
  }

  async function getJson(url) {
    const response = await fetch(url, { cache: 'no-store' });
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (!response.ok) {
      throw new Error(body?.error ?? `${response.status} ${response.statusText}`);
    }
    return body;
  }

  function showMessage(text, isError = false) {
    const m = $('#message');
    m.hidden = !text;
    m.textContent = text ?? '';
    m.classList.toggle('error', isError);
  }

  // ---- the host's state ------------------------------------------------

  async function loadState() {
    host = await getJson(apiUrl('state'));
    document.title = host.title ? `${host.title} · pprof-lsp` : 'pprof-lsp';
    $('#title').textContent = host.title || 'pprof-lsp';
    const select = $('#sample-type');
    const wanted = params().get('si') ?? host.sampleType ?? '';
    select.replaceChildren(...host.sampleTypes.map((t) => el('option', { value: t.name, textContent: `${t.name} (${t.unit})` })));
    select.value = wanted;
    fillFilterForm();
    $('#details-open').textContent = host.editor ? `Open in ${host.editor}` : 'Show source';
  }

  function fillFilterForm() {
    const p = params();
    const fromUrl = FILTERS.some((f) => p.has(f));
    const form = $('#filter-form');
    let any = false;
    for (const f of FILTERS) {
      const value = fromUrl ? (p.get(f) ?? '') : (host?.filters?.[camel(f)] ?? '');
      form.elements[f].value = value;
      any ||= value !== '';
    }
    $('#filters').classList.toggle('active', any);
  }

  const camel = (name) => name.replace(/_(\w)/g, (_, c) => c.toUpperCase());

  /** Polls the host's generation; redraws when it changes. */
  async function poll() {
    try {
      const state = await getJson(apiUrl('state'));
      pollFailures = 0;
      if (!host || state.generation !== host.generation || state.loaded !== host.loaded) {
        await loadState();
        render();
      }
    } catch {
      pollFailures += 1;
    }
    // Back off while the server does not answer (it may have stopped).
    window.setTimeout(poll, POLL_MS * Math.min(10, 1 + pollFailures));
  }

  // ---- views -----------------------------------------------------------

  function currentView() {
    const v = params().get('view');
    return v === 'top' || v === 'source' ? v : 'flame';
  }

  async function render() {
    const view = currentView();
    for (const a of document.querySelectorAll('#views a')) a.classList.toggle('active', a.dataset.view === view);
    for (const name of ['flame', 'top', 'source']) $(`#${name}-view`).hidden = name !== view;
    $('#search').hidden = view !== 'flame';
    $('#search').value = params().get('search') ?? '';
    if (host) {
      $('#sample-type').value = params().get('si') ?? host.sampleType ?? '';
      fillFilterForm();
    }
    // Cleared before the data comes, so a message set meanwhile (why a
    // click did not open an editor) stays.
    showMessage(null);
    try {
      if (view === 'flame') await renderFlame();
      else if (view === 'top') await renderTop();
      else await renderSource();
    } catch (e) {
      showMessage(e.message, true);
    }
  }

  // ---- flame graph -----------------------------------------------------

  async function renderFlame() {
    const data = await getJson(apiUrl('flame'));
    flameData = data;
    drawFlame();
  }

  function zoomPath() {
    try {
      const z = JSON.parse(params().get('zoom') ?? '[]');
      return Array.isArray(z) ? z : [];
    } catch {
      return [];
    }
  }

  /** Lays out and draws `flameData`: each frame's width is its share of the shown root. */
  function drawFlame() {
    const data = flameData;
    const graph = $('#flame');
    if (!data) return;
    const width = graph.clientWidth;
    const frames = [];
    const n = data.name.length;
    const ancestors = data.ancestors.length;
    const zoom = zoomPath();
    const layout = { parent: new Int32Array(n), depth: new Int32Array(n) };

    data.ancestors.forEach((a, i) => {
      const box = el('div', { class: 'frame ancestor', title: `${a.name}\n${a.label}`, textContent: a.name, dataset: { ancestor: String(i), name: a.name } });
      place(box, 0, i, width);
      frames.push(box);
    });

    const rootWeight = data.weight[0] || 1;
    const scale = width / rootWeight;
    // Pre-order walk: the top of `open` is the frame whose children are being placed.
    const open = [];
    let maxDepth = 0;
    for (let i = 0; i < n; i++) {
      const w = data.weight[i] * scale;
      let x = 0;
      let parent = -1;
      if (i > 0) {
        const top = open[open.length - 1];
        parent = top.index;
        x = top.cursor;
        top.cursor += w;
        top.left -= 1;
      }
      const depth = open.length;
      layout.parent[i] = parent;
      layout.depth[i] = depth;
      if (data.kids[i] > 0) open.push({ index: i, cursor: x, left: data.kids[i] });
      while (open.length && open[open.length - 1].left === 0) open.pop();
      if (w < MIN_PX) continue;
      maxDepth = Math.max(maxDepth, depth);
      const kind = data.kind[i];
      const name = data.names[data.name[i]];
      const box = el('div', { title: title(data, i), dataset: { i: String(i), name } });
      box.className = `frame${kind === 2 || kind === 3 ? ' inline' : ''}${kind === 4 ? ' object' : ''}${kind === 5 ? ' others' : ''}`;
      box.style.background = color(data, i, name, kind);
      if (w >= MIN_TEXT_PX) box.textContent = label(name, w);
      place(box, x, ancestors + depth, w);
      frames.push(box);
    }
    graph.style.height = `${(ancestors + maxDepth + 1) * ROW + 2}px`;
    graph.replaceChildren(...frames);
    flameLayout = layout;
    const rootName = data.names[data.name[0]];
    $('#flame-info').textContent = zoom.length
      ? `Zoomed to ${rootName}: click a frame above to zoom out, Esc for the whole profile.`
      : `${data.sampleType}: ${data.totalLabel} total${data.diff ? ' (difference from the base)' : ''}. Click a frame to zoom; Ctrl+click to open it.`;
    highlightSearch();
    describe(0);
    window.pprofFlameDrawn = { at: performance.now(), frames: frames.length };
    document.body.dataset.flame = 'drawn';
  }

  /** A frame's tooltip: its name (and inline mark), then its value, share and self value. */
  function title(data, i) {
    const kind = data.kind[i];
    const mark = kind === 2 ? ' (inline)' : kind === 3 ? ' (partial-inline)' : '';
    return `${data.names[data.name[i]]}${mark}\n${data.label[i]}`;
  }

  /** The file and line a frame opens at, with why it cannot be opened, or null. */
  function lineOf(data, i) {
    if (data.line[i] < 0) return null;
    const [file, line] = data.lines[data.line[i]];
    return { file: data.files[file].file, line, mapped: data.files[file].mapped };
  }

  function place(box, x, row, w) {
    box.style.left = `${x}px`;
    box.style.top = `${row * ROW}px`;
    box.style.width = `${w}px`;
  }

  /** The name a frame shows: all of it if it fits, else without its package path. */
  function label(name, px) {
    if (name.length * 7 <= px) return name;
    const slash = name.lastIndexOf('/');
    return slash >= 0 ? name.slice(slash + 1) : name;
  }

  function color(data, i, name, kind) {
    if (data.diff) {
      const share = data.weight[i] ? data.value[i] / data.weight[i] : 0;
      const strength = Math.min(1, Math.abs(share));
      const light = 92 - 40 * strength;
      return share >= 0 ? `hsl(0 75% ${light}%)` : `hsl(130 55% ${light}%)`;
    }
    if (kind === 0) return 'hsl(30 10% 82%)';
    // Warm colours, one per package, as flame graphs usually have.
    const pkg = name.replace(/^(.*\/)?([^./]*)\..*$/, '$1$2');
    let h = 0;
    for (let k = 0; k < pkg.length; k++) h = (h * 31 + pkg.charCodeAt(k)) >>> 0;
    const hue = 8 + (h % 42);
    const light = kind === 2 || kind === 3 ? 80 : 66 + ((h >> 8) % 10);
    return `hsl(${hue} 85% ${light}%)`;
  }

  /** The frame names from the profile's root down to frame `i`. */
  function pathTo(i) {
    const names = [];
    for (let k = i; k > 0; k = flameLayout.parent[k]) names.push(flameData.names[flameData.name[k]]);
    if (flameData.kind[0] !== 0) names.push(flameData.names[flameData.name[0]]);
    return [...flameData.ancestors.slice(1).map((a) => a.name), ...names.reverse()];
  }

  let selected = 0;

  /** Shows a frame's tooltip in the details line, with its open button. */
  function describe(i) {
    selected = i;
    const data = flameData;
    $('#details-text').textContent = title(data, i).replace('\n', '  ');
    const line = lineOf(data, i);
    const button = $('#details-open');
    button.hidden = !line;
    if (line) {
      button.title = line.mapped ? `${line.file}:${line.line}` : `${line.file} is not mapped to a local file; click to see why`;
    }
    for (const s of document.querySelectorAll('#flame .selected')) s.classList.remove('selected');
    if (i > 0) document.querySelector(`#flame .frame[data-i="${i}"]`)?.classList.add('selected');
  }

  function onFlameClick(event) {
    const box = event.target.closest('.frame');
    if (!box || !flameData) return;
    if (box.dataset.ancestor !== undefined) {
      const depth = Number(box.dataset.ancestor);
      // Ancestor 0 is the profile's root; ancestor k is the k-th frame of the zoom path.
      const zoom = zoomPath().slice(0, depth);
      setParams({ zoom: zoom.length ? JSON.stringify(zoom) : null });
      return;
    }
    const i = Number(box.dataset.i);
    if (event.ctrlKey || event.metaKey) {
      openFrame(i);
      return;
    }
    const kind = flameData.kind[i];
    if (kind === 5) {
      describe(i);
      showMessage('These frames are too narrow to draw one by one; zoom into their parent to see them.');
      return;
    }
    if (i === 0) {
      describe(0);
      return;
    }
    setParams({ zoom: JSON.stringify(pathTo(i)) });
  }

  function openFrame(i) {
    const data = flameData;
    const line = lineOf(data, i);
    if (!line) {
      showMessage(`${data.names[data.name[i]]} has no source line in the profile.`);
      return;
    }
    openLine(line.file, line.line, data.names[data.name[i]]);
  }

  /** Asks the server to open a line in the editor; shows it here when there is none. */
  async function openLine(file, line, fn) {
    try {
      const response = await fetch(`api/open?token=${encodeURIComponent(params().get('token') ?? '')}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ file, line, function: fn ?? null }),
      });
      const answer = await response.json();
      if (answer.opened) {
        showMessage(`Opened ${file}:${line} in ${host?.editor ?? 'the editor'}.`);
      } else if (answer.mapped) {
        setParams({ view: 'source', file, line: String(line) });
        showMessage(`${answer.reason}; showing the source here.`);
      } else {
        showMessage(`Cannot open ${fn ?? file}: ${answer.reason}`, true);
      }
    } catch (e) {
      showMessage(`Cannot open ${file}: ${e.message}`, true);
    }
  }

  function onFlameHover(event) {
    const box = event.target.closest('.frame');
    if (!box || !flameData || box.dataset.i === undefined) return;
    const i = Number(box.dataset.i);
    $('#details-text').textContent = title(flameData, i).replace('\n', '  ');
  }

  /** Marks the frames whose names match the search pattern, and sums them once each. */
  function highlightSearch() {
    const graph = $('#flame');
    const input = $('#search');
    const pattern = input.value;
    let re = null;
    input.classList.remove('invalid');
    if (pattern) {
      try {
        re = new RegExp(pattern);
      } catch {
        input.classList.add('invalid');
      }
    }
    graph.classList.toggle('searching', Boolean(re));
    if (!flameData || !flameLayout) return;
    const data = flameData;
    const matched = new Uint8Array(data.name.length);
    let count = 0;
    let weight = 0;
    if (re) {
      for (let i = 0; i < data.name.length; i++) {
        if (data.kind[i] === 5 || !re.test(data.names[data.name[i]])) continue;
        matched[i] = 1;
        count += 1;
        // Count a frame's weight only if no frame above it matched already.
        let inside = false;
        for (let k = flameLayout.parent[i]; k >= 0; k = flameLayout.parent[k]) {
          if (matched[k]) {
            inside = true;
            break;
          }
        }
        if (!inside) weight += data.weight[i];
      }
    }
    for (const box of graph.children) {
      if (box.dataset.i !== undefined) box.classList.toggle('match', matched[Number(box.dataset.i)] === 1);
    }
    if (re) {
      const share = data.total ? ((100 * weight) / data.total).toFixed(2) : '0.00';
      $('#flame-info').textContent = `${count} frame${count === 1 ? '' : 's'} match /${pattern}/: ${share}% of the total.`;
    }
  }

  // ---- top -------------------------------------------------------------

  async function renderTop() {
    const data = await getJson(apiUrl('top'));
    for (const a of document.querySelectorAll('.toggles a')) {
      a.classList.toggle('active', (a.dataset.granularity === 'lines') === data.lines);
    }
    for (const th of document.querySelectorAll('#top-table th[data-sort]')) {
      th.classList.toggle('sorted', (th.dataset.sort === 'cum') === data.byCum);
    }
    // Lines pprof prints on stderr (the server's words, shown as they are).
    $('#top-notes').textContent = data.notes.join('\n');
    $('#top-notes').hidden = data.notes.length === 0;
    $('#top-header').textContent = data.header.join('\n');
    const rows = data.rows.map((r) => {
      const name = r.mark ? `${r.name} ${r.mark}` : r.name;
      const tr = el(
        'tr',
        { class: r.mapped ? 'openable' : 'unmapped', title: r.mapped ? `Open ${r.file}:${r.line}` : `${r.file ?? 'No file'}: not mapped to a local file; click to see why` },
        el('td', { class: 'num', textContent: r.flat }),
        el('td', { class: 'num', textContent: r.flatPercent }),
        el('td', { class: 'num', textContent: r.sumPercent }),
        el('td', { class: 'num', textContent: r.cum }),
        el('td', { class: 'num', textContent: r.cumPercent }),
        el('td', { textContent: name }),
      );
      tr.addEventListener('click', () => openLine(r.file ?? '', r.line, r.function));
      return tr;
    });
    $('#top-table tbody').replaceChildren(...rows);
  }

  // ---- source ----------------------------------------------------------

  async function renderSource() {
    const p = params();
    const file = p.get('file');
    $('#files-table').hidden = Boolean(file);
    $('#source-table').hidden = !file;
    if (!file) {
      const files = await getJson(apiUrl('files'));
      $('#source-info').textContent = 'The profile\'s source files, by flat. Click one to see its lines.';
      const rows = files.map((f) => {
        const tr = el(
          'tr',
          { class: f.local ? 'mapped' : '', title: f.problem ?? f.local },
          el('td', { class: 'num', textContent: f.flat }),
          el('td', { textContent: f.file }),
          el('td', { textContent: f.local ?? f.problem }),
        );
        if (f.local) tr.addEventListener('click', () => setParams({ file: f.file, line: null }));
        return tr;
      });
      $('#files-table tbody').replaceChildren(...rows);
      return;
    }
    const data = await getJson(apiUrl('source'));
    const target = Number(p.get('line') ?? 0);
    $('#source-info').textContent = data.problem
      ? `${data.file}: ${data.problem}`
      : `${data.local} (${data.file}) · ${data.sampleType} · flat ${data.flat}`;
    const rows = data.lines.map((l, k) => {
      const n = k + 1;
      // The line as the profile recorded it: it differs when the file
      // changed since the profile's revision (0: added since).
      const recorded = l.recorded ?? n;
      const tr = el(
        'tr',
        {
          class: `${l.heat ? `heat${l.heat}` : ''}${recorded === target ? ' target' : ''}${l.changedSince ? ' stale' : ''}`,
          dataset: { line: String(n) },
          title: l.changedSince ? `changed since ${l.changedSince} (profiled revision)` : '',
        },
        el('td', { class: 'num', textContent: l.flat ?? '' }),
        el('td', { class: 'num', textContent: l.cum ?? '' }),
        el('td', { class: 'num', textContent: String(n) }),
        el('td', { textContent: l.text }),
      );
      if (host?.editor && recorded > 0) {
        tr.classList.add('openable');
        tr.addEventListener('click', () => openLine(data.file, recorded, null));
      }
      return tr;
    });
    $('#source-table tbody').replaceChildren(...rows);
    document.querySelector('#source-table tr.target')?.scrollIntoView({ block: 'center' });
  }

  // ---- wiring ----------------------------------------------------------

  function wire() {
    for (const a of document.querySelectorAll('#views a')) {
      a.addEventListener('click', (e) => {
        e.preventDefault();
        setParams({ view: a.dataset.view === 'flame' ? null : a.dataset.view });
      });
    }
    for (const a of document.querySelectorAll('.toggles a')) {
      a.addEventListener('click', (e) => {
        e.preventDefault();
        setParams({ lines: a.dataset.granularity === 'lines' ? '1' : null });
      });
    }
    for (const th of document.querySelectorAll('#top-table th[data-sort]')) {
      th.addEventListener('click', () => setParams({ sort: th.dataset.sort === 'cum' ? 'cum' : null }));
    }
    $('#sample-type').addEventListener('change', (e) => setParams({ si: e.target.value }));
    let searchTimer = 0;
    $('#search').addEventListener('input', () => {
      window.clearTimeout(searchTimer);
      searchTimer = window.setTimeout(() => {
        const value = $('#search').value;
        const p = params();
        if (value) p.set('search', value);
        else p.delete('search');
        window.history.replaceState(null, '', `${window.location.pathname}?${p}`);
        highlightSearch();
      }, 120);
    });
    $('#filter-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const form = e.target;
      const changes = {};
      const hostHasFilters = host && Object.values(host.filters ?? {}).some((v) => v);
      for (const f of FILTERS) {
        const v = form.elements[f].value.trim();
        // An empty value is kept when the host has filters: it says "none of the host's".
        changes[f] = v || hostHasFilters ? v : null;
      }
      $('#filters').open = false;
      setParams(changes);
    });
    $('#filters-clear').addEventListener('click', () => {
      const changes = {};
      for (const f of FILTERS) changes[f] = null;
      $('#filters').open = false;
      setParams(changes);
    });
    const graph = $('#flame');
    graph.addEventListener('click', onFlameClick);
    graph.addEventListener('mouseover', onFlameHover);
    graph.addEventListener('mouseleave', () => flameData && describe(selected));
    $('#details-open').addEventListener('click', () => openFrame(selected));
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && currentView() === 'flame' && zoomPath().length) setParams({ zoom: null });
    });
    window.addEventListener('popstate', render);
    let resizeTimer = 0;
    window.addEventListener('resize', () => {
      window.clearTimeout(resizeTimer);
      resizeTimer = window.setTimeout(() => currentView() === 'flame' && drawFlame(), 100);
    });
  }

  async function start() {
    wire();
    // The view's data and the host's state are fetched together: the
    // first paint waits for one round trip, not two.
    const stateLoaded = loadState().catch((e) => showMessage(e.message, true));
    await Promise.all([stateLoaded, render()]);
    window.setTimeout(poll, POLL_MS);
  }

  start();
})();
