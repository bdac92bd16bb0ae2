// report.html's script: draws each figure of the report as an interactive ECharts chart
// where the Markdown report has its PNG (drawn when scrolled to, so a large report opens
// at once), builds the sortable and filterable table of every configuration linked to the
// parallel coordinates, shows one configuration's seeds, epoch table and comparisons on a
// click and, when `sweep serve` serves the page, polls live.json for the sweep's progress.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const DATA = JSON.parse($('sweep-data').textContent);
  let seedsParsed = null;
  // Every seed's curve is the largest block: parsed on the first click that needs it.
  const seedCurves = () => {
    if (seedsParsed === null) seedsParsed = JSON.parse($('sweep-seeds').textContent);
    return seedsParsed;
  };
  const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b',
    '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  const MUTED = '#b0b0b0';
  // The heatmaps' metrics, as plot/heatmap.rs orders them.
  const HEAT_METRICS = ['test_acc_1', 'final_test_acc', 'first_epoch_train_acc_1', 'final_train_loss'];
  // At most this many configurations get a line of their own in the overview curves.
  const MAX_LINES = 40;
  const charts = {};
  window.sweep = { charts: charts, data: DATA };

  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const num = (x, digits) => {
    if (x === null || x === undefined) return '-';
    if (!isFinite(x)) return String(x);
    const a = Math.abs(x);
    if (Number.isInteger(x) && a < 1e6) return String(x);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential((digits || 4) - 1);
    return String(Number(x.toPrecision(digits || 4)));
  };
  // A setting's value as labels print it: numbers to four significant digits.
  const valueText = (v) => (typeof v === 'number' ? num(v, 4) : String(v));
  const fixed3 = (x) => (x === null || x === undefined ? '-' : x.toFixed(3));

  function init(el, name) {
    const chart = echarts.init(el, null, { renderer: 'canvas' });
    charts[name] = chart;
    return chart;
  }
  window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));

  // ---- helpers over the data -------------------------------------------------------
  const metricIndex = (name) => DATA.metrics.findIndex((m) => m.name === name);
  const curveIndex = (name) => DATA.curves.indexOf(name);
  const isLoss = (name) => name.indexOf('loss') >= 0;
  const settingText = (k, v) => DATA.settings[k].short + '=' + valueText(v);
  function colorOf(i) {
    if (DATA.color === null) return PALETTE[0];
    const s = DATA.settings[DATA.color];
    const v = DATA.configs[i].values[DATA.color];
    const at = s.values.findIndex((x) => String(x) === String(v));
    return PALETTE[Math.max(at, 0) % PALETTE.length];
  }
  function figureText(c, m) {
    const f = DATA.configs[c].figures[m];
    if (f[0] === null) return '-';
    const interval = f[1] === null ? '' : ' [' + num(f[1]) + ', ' + num(f[2]) + ']';
    return num(f[0]) + interval;
  }
  // Configuration indices, best first.
  const RANKED = DATA === null ? [] :
    DATA.configs.map((_, i) => i).sort((a, b) => DATA.configs[a].rank - DATA.configs[b].rank);

  // ---- figures ---------------------------------------------------------------------
  const FIGURES = {};
  for (const f of DATA === null ? [] : DATA.figures) FIGURES[f.name] = f;

  function drawFigure(span) {
    const f = FIGURES[span.dataset.figure];
    if (!f || span.dataset.ready) return;
    if (f.kind === 'image') {
      // No interactive view of this figure (a race's): its PNG, carried in the page.
      if (f.image) {
        const img = document.createElement('img');
        img.src = f.image;
        img.alt = f.name;
        img.className = 'figure-image';
        span.appendChild(img);
      }
      span.dataset.ready = '1';
      return;
    }
    const el = document.createElement('div');
    el.className = 'chart' + (f.kind === 'heatmap' ? ' heatmap' : '');
    span.appendChild(el);
    const chart = init(el, f.name);
    const draw = { heatmap: heatmap, bands: bands, effect: effect, curves: seedsOf, search: halving }[f.kind];
    if (f.kind === 'curves') draw(chart, f.config);
    else draw(chart, f);
    span.dataset.ready = '1';
  }

  // Two settings against each other: one panel per metric, darker is better. Where a third
  // setting is swept, tabs choose one of its values (as the PNG's panels) or pool them.
  function heatmap(chart, f) {
    const [a, b] = f.pair;
    const k = DATA.settings.findIndex((s, i) => i !== a && i !== b && s.values.length <= 10);
    if (k < 0) { drawHeatmap(chart, f, null); return; }
    const tabs = document.createElement('div');
    tabs.className = 'panel-tabs';
    const choices = DATA.settings[k].values.map((v) => [settingText(k, v), (c) => String(c.values[k]) === String(v)]);
    choices.push(['pooled', null]);
    choices.forEach(([text, keep], n) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = text;
      button.addEventListener('click', () => {
        tabs.querySelectorAll('button').forEach((x) => x.classList.remove('on'));
        button.classList.add('on');
        drawHeatmap(chart, f, keep);
      });
      if (n === 0) button.classList.add('on');
      tabs.appendChild(button);
    });
    chart.getDom().before(tabs);
    drawHeatmap(chart, f, choices[0][1]);
  }

  function drawHeatmap(chart, f, keep) {
    const [a, b] = f.pair;
    const xs = DATA.settings[a].values.map(valueText);
    const ys = DATA.settings[b].values.map(valueText);
    // The PNG's panels, in its order.
    const panels = HEAT_METRICS.map((n) => DATA.metrics.find((m) => m.name === n)).filter((m) => m);
    const width = 100 / panels.length;
    const option = { tooltip: { trigger: 'item', confine: true }, grid: [], xAxis: [], yAxis: [],
      visualMap: [], series: [], title: [] };
    panels.forEach((m, p) => {
      const cells = heatCells(a, b, DATA.metrics.indexOf(m), xs, ys, keep);
      const values = cells.map((c) => c.value[2]).filter((v) => v !== null);
      const lo = values.length ? Math.min(...values) : 0;
      const hi = values.length ? Math.max(...values) : 1;
      option.title.push({ text: m.title, left: (p * width + 1) + '%', top: 0, textStyle: { fontSize: 12 } });
      option.grid.push({ left: (p * width + 5) + '%', width: (width - 7) + '%', top: 40, bottom: 45 });
      option.xAxis.push({ type: 'category', data: xs, gridIndex: p, name: DATA.settings[a].short,
        nameLocation: 'middle', nameGap: 25 });
      option.yAxis.push({ type: 'category', data: ys, gridIndex: p, name: p === 0 ? DATA.settings[b].short : '' });
      const light = '#f7fbff', dark = '#08306b';
      option.visualMap.push({ show: false, seriesIndex: p, min: lo, max: hi === lo ? lo + 1 : hi,
        dimension: 2, inRange: { color: m.higher_is_better ? [light, dark] : [dark, light] } });
      option.series.push({ type: 'heatmap', name: m.title, xAxisIndex: p, yAxisIndex: p, data: cells,
        label: { show: xs.length * ys.length <= 64, fontSize: 10, formatter: (d) => num(d.value[2], 3) },
        tooltip: { formatter: (d) => heatTooltip(d, a, b, m) } });
    });
    chart.setOption(option, true);
  }

  // The configurations of each cell (those `keep` keeps), pooled: the median of their figures.
  function heatCells(a, b, m, xs, ys, keep) {
    const groups = {};
    DATA.configs.forEach((c, i) => {
      if (keep && !keep(c)) return;
      const key = valueText(c.values[a]) + '\u0000' + valueText(c.values[b]);
      (groups[key] = groups[key] || []).push(i);
    });
    const cells = [];
    xs.forEach((x, xi) => ys.forEach((y, yi) => {
      const members = groups[x + '\u0000' + y] || [];
      const figs = members.map((i) => DATA.configs[i].figures[m][0]).filter((v) => v !== null).sort((p, q) => p - q);
      const median = figs.length ? (figs[(figs.length - 1) >> 1] + figs[figs.length >> 1]) / 2 : null;
      cells.push({ value: [xi, yi, median], members: members });
    }));
    return cells;
  }

  function heatTooltip(d, a, b, m) {
    const members = d.data.members;
    const seeds = members.reduce((s, i) => s + DATA.configs[i].seeds, 0);
    const mi = DATA.metrics.indexOf(m);
    let text = esc(settingText(a, DATA.settings[a].values[d.value[0]]) + ' ' +
      settingText(b, DATA.settings[b].values[d.value[1]])) + '<br><b>' + esc(m.title) + ': ' +
      num(d.value[2]) + '</b>';
    if (members.length === 1) {
      text += '<br>' + esc(DATA.configs[members[0]].label) + ': ' + esc(figureText(members[0], mi)) +
        ' (95% interval)';
    } else {
      text += ' (median of ' + members.length + ' configurations)';
    }
    return text + '<br>' + seeds + ' seed(s)';
  }

  // A curve's median over seeds per configuration, coloured by the colour setting.
  function bands(chart, f) {
    const ci = curveIndex(f.curve);
    const order = RANKED;
    const shown = order.slice(0, MAX_LINES);
    const series = shown.map((i) => {
      const c = DATA.configs[i];
      const name = DATA.color === null ? c.label : settingText(DATA.color, c.values[DATA.color]);
      // Small symbols: a point to hover at every epoch kept.
      return { type: 'line', name: DATA.configs.length <= 12 ? c.label : name, showSymbol: true,
        symbol: 'circle', symbolSize: 3, color: colorOf(i), lineStyle: { width: 1.5 },
        emphasis: { focus: 'series' }, config: i,
        data: c.bands[ci].map((r) => ({ value: [r[0], Math.max(r[2], 1e-6)], band: r })) };
    });
    const legend = DATA.configs.length <= 12 || DATA.color !== null;
    chart.setOption({
      title: { text: f.curve.replace('_', ' ') + ': median over seeds' +
        (order.length > MAX_LINES ? ' (best ' + MAX_LINES + ' of ' + order.length + ')' : ''),
        textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'item', confine: true, formatter: (d) => bandTooltip(d, f.curve) },
      legend: legend ? { type: 'scroll', top: 22 } : undefined,
      grid: { top: legend ? 60 : 40, left: 60, right: 20, bottom: 40 },
      xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 25, min: 'dataMin' },
      yAxis: { type: isLoss(f.curve) ? 'log' : 'value', name: f.curve.replace('_', ' ') },
      series: series,
    });
  }

  function bandTooltip(d, curve) {
    const c = DATA.configs[RANKED[d.seriesIndex]];
    const r = d.data.band;
    return esc(c.label) + '<br>epoch ' + r[0] + ': ' + esc(curve.replace('_', ' ')) + ' <b>' +
      num(r[2]) + '</b> [' + num(r[1]) + ', ' + num(r[3]) + '] (25-75%)<br>' + r[4] + ' seed(s)';
  }

  // Final metrics against one setting, a point per configuration.
  function effect(chart, f) {
    const k = f.axis;
    const values = DATA.settings[k].values.map(valueText);
    const panels = ['final_test_acc', 'first_epoch_train_acc_1'].map(metricIndex).filter((m) => m >= 0);
    const option = { tooltip: { trigger: 'item', confine: true }, grid: [], xAxis: [], yAxis: [], series: [],
      title: { text: 'one point per configuration, its median over seeds (the PNG has every run); click one for its seeds',
        right: 0, textStyle: { fontSize: 11, fontWeight: 'normal', color: '#666' } } };
    const h = 100 / panels.length;
    panels.forEach((m, p) => {
      option.grid.push({ left: 70, right: 20, top: (p * h + 6) + '%', height: (h - 14) + '%' });
      option.xAxis.push({ type: 'category', data: values, gridIndex: p, name: DATA.settings[k].short });
      option.yAxis.push({ type: 'value', gridIndex: p, name: DATA.metrics[m].title, scale: true,
        nameTextStyle: { align: 'left' } });
      option.series.push({ type: 'scatter', xAxisIndex: p, yAxisIndex: p, symbolSize: 8,
        itemStyle: { opacity: 0.65 },
        data: DATA.configs.map((c, i) => ({ value: [valueText(c.values[k]), c.figures[m][0]], config: i,
          itemStyle: { color: colorOf(i) } })).filter((d) => d.value[1] !== null),
        tooltip: { formatter: (d) => esc(DATA.configs[d.data.config].label) + '<br>' +
          esc(DATA.metrics[m].title) + ': <b>' + esc(figureText(d.data.config, m)) + '</b><br>' +
          DATA.configs[d.data.config].seeds + ' seed(s)' } });
    });
    chart.setOption(option);
    chart.on('click', (d) => d.data && showDetail(d.data.config));
  }

  // Every seed's train loss of one configuration; the legend toggles seeds.
  function seedsOf(chart, i) {
    const runs = seedCurves()[i];
    const series = runs.map(([seed, diverged, flat]) => {
      const data = [];
      for (let p = 0; p + 1 < flat.length; p += 2) data.push([flat[p], flat[p + 1]]);
      return { type: 'line', name: 'seed ' + seed + (diverged ? ' (diverged)' : ''), showSymbol: true,
        symbol: 'circle', symbolSize: 2,
        lineStyle: { width: 1 }, data: data, emphasis: { focus: 'series' } };
    });
    chart.setOption({
      title: { text: 'every seed: train loss (log)', left: 0, textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'item', confine: true, formatter: (d) => esc(d.seriesName) + '<br>epoch ' +
        d.value[0] + ': train loss <b>' + num(d.value[1]) + '</b>' },
      legend: { type: 'scroll', top: 24 },
      grid: { top: 64, left: 60, right: 20, bottom: 40 },
      xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 25, min: 'dataMin' },
      yAxis: { type: 'log' },
      series: series,
    }, true);
  }

  // Successive halving: each configuration's median at every rung it reached.
  function halving(chart) {
    const h = DATA.halving;
    if (!h) return;
    const series = h.paths.map((path, i) => ({ type: 'line', name: DATA.configs[i].label,
      data: path, config: i, symbol: h.stopped[i] ? 'emptyCircle' : 'circle', symbolSize: 6,
      color: h.stopped[i] ? MUTED : PALETTE[(DATA.configs[i].rank - 1) % PALETTE.length],
      lineStyle: { width: h.stopped[i] ? 1 : 2 }, z: h.stopped[i] ? 1 : 2,
      emphasis: { focus: 'series' } }));
    chart.setOption({
      title: { text: 'successive halving: median ' + h.metric + ' at each rung (grey: stopped)',
        textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'item', confine: true, formatter: (d) => esc(d.seriesName) + '<br>epoch ' +
        d.value[0] + ': ' + esc(h.metric) + ' <b>' + num(d.value[1]) + '</b><br>' +
        (h.stopped[d.seriesIndex] ? 'stopped here' : 'trained to the end') },
      grid: { top: 40, left: 60, right: 20, bottom: 40 },
      xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 25 },
      yAxis: { type: isLoss(h.metric) ? 'log' : 'value', name: h.metric, scale: true },
      series: series,
    });
    chart.on('click', (d) => showDetail(d.seriesIndex));
  }

  // ---- the table of every configuration ---------------------------------------------
  const table = { sort: 'rank', desc: false, text: '', brushed: null, selected: null };

  function columns() {
    const cols = [{ key: 'rank', title: 'rank', get: (c) => c.rank, show: (c) => c.rank },
      { key: 'label', title: 'configuration', get: (c) => c.label, show: (c) => esc(c.label) }];
    DATA.settings.forEach((s, k) => cols.push({ key: 's' + k, title: s.short,
      get: (c) => c.values[k], show: (c) => esc(valueText(c.values[k])) }));
    cols.push({ key: 'seeds', title: 'seeds', get: (c) => c.seeds, show: (c) => c.seeds });
    cols.push({ key: 'diverged', title: 'diverged', get: (c) => c.diverged, show: (c) => c.diverged });
    DATA.metrics.forEach((m, j) => cols.push({ key: 'm' + j, title: m.title,
      get: (c) => c.figures[j][0], show: (c) => esc(c.cells[j]) }));
    return cols;
  }

  function matches(c, tokens) {
    const label = c.label.toLowerCase();
    return tokens.every((t) => {
      const eq = t.indexOf('=');
      if (eq > 0) {
        const name = t.slice(0, eq), value = t.slice(eq + 1);
        const k = DATA.settings.findIndex((s) => s.short.toLowerCase() === name || s.name === name);
        if (k >= 0) return [String(c.values[k]), valueText(c.values[k])].some((v) => v.toLowerCase() === value);
      }
      return label.indexOf(t) >= 0;
    });
  }

  function visibleRows(cols) {
    const tokens = table.text.toLowerCase().split(/\s+/).filter((t) => t);
    let rows = DATA.configs.map((_, i) => i).filter((i) =>
      (table.brushed === null || table.brushed.has(i)) && matches(DATA.configs[i], tokens));
    const col = cols.find((c) => c.key === table.sort) || cols[0];
    const sign = table.desc ? -1 : 1;
    rows.sort((a, b) => {
      const x = col.get(DATA.configs[a]), y = col.get(DATA.configs[b]);
      if (x === null) return y === null ? 0 : 1;
      if (y === null) return -1;
      if (typeof x === 'number' && typeof y === 'number') return sign * (x - y);
      return sign * String(x).localeCompare(String(y), undefined, { numeric: true });
    });
    return rows;
  }

  function renderTable() {
    const el = $('configs');
    if (!el) return;
    const cols = columns();
    const rows = visibleRows(cols);
    const head = '<thead><tr>' + cols.map((c) => '<th data-key="' + c.key + '" class="' +
      (c.key === table.sort ? (table.desc ? 'sorted-desc' : 'sorted-asc') : '') + '">' +
      esc(c.title) + '</th>').join('') + '</tr></thead>';
    const body = rows.map((i) => '<tr data-config="' + i + '"' + (i === table.selected ? ' class="selected"' : '') +
      '>' + cols.map((c) => '<td>' + c.show(DATA.configs[i]) + '</td>').join('') + '</tr>').join('');
    el.innerHTML = head + '<tbody>' + body + '</tbody>';
    $('shown').textContent = rows.length + ' of ' + DATA.configs.length + ' configurations' +
      (table.brushed === null ? '' : ' (brushed)');
  }

  function setupTable() {
    const el = $('configs');
    if (!el) return;
    el.addEventListener('click', (e) => {
      const th = e.target.closest('th');
      if (th) {
        const key = th.dataset.key;
        table.desc = table.sort === key ? !table.desc : false;
        table.sort = key;
        renderTable();
        return;
      }
      const tr = e.target.closest('tr[data-config]');
      if (tr) showDetail(Number(tr.dataset.config));
    });
    $('filter').addEventListener('input', (e) => { table.text = e.target.value; renderTable(); });
    $('clear-brush').addEventListener('click', clearBrush);
    renderTable();
  }

  // ---- parallel coordinates, brushing filters the table -----------------------------
  function parallel() {
    const el = $('parallel');
    if (!el) return;
    const chart = init(el, 'parallel');
    const dims = DATA.settings.map((s, k) => ({ dim: k, name: s.short, type: 'category',
      data: s.values.map(valueText) }));
    const metrics = DATA.metrics.slice(0, 4);
    metrics.forEach((m, j) => dims.push({ dim: dims.length, name: m.title.replace(', median', ''),
      type: 'value', scale: true, j: j }));
    const rankDim = DATA.settings.length + Math.min(DATA.rank_by, metrics.length - 1);
    const data = DATA.configs.map((c) => c.values.map(valueText).concat(metrics.map((_, j) => {
      const v = c.figures[j][0];
      return v === null ? '-' : v;
    })));
    chart.setOption({
      parallelAxis: dims.map((d) => ({ dim: d.dim, name: d.name, type: d.type, data: d.data, scale: d.scale,
        nameTextStyle: { fontSize: 11 }, nameRotate: dims.length > 7 ? 15 : 0 })),
      parallel: { left: 60, right: 90, top: 60, bottom: 30,
        parallelAxisDefault: { areaSelectStyle: { width: 24 } } },
      visualMap: { type: 'continuous', dimension: rankDim, right: 0, top: 60, itemHeight: 120,
        calculable: false, text: [metrics[rankDim - DATA.settings.length].name, ''],
        textStyle: { fontSize: 10 },
        inRange: { color: DATA.metrics[DATA.rank_by].higher_is_better ? ['#d0d7e0', '#08306b'] : ['#08306b', '#d0d7e0'] },
        ...range(data.map((r) => r[rankDim])) },
      tooltip: { trigger: 'item', confine: true, formatter: (d) => esc(DATA.configs[d.dataIndex].label) },
      series: [{ type: 'parallel', data: data, lineStyle: { width: 1.2, opacity: 0.55 },
        inactiveOpacity: 0.04, activeOpacity: 0.9, progressive: 1000, smooth: false }],
    });
    chart.on('axisareaselected', () => {
      const series = chart.getModel().getSeries()[0];
      const active = series.getRawIndicesByActiveState('active');
      table.brushed = active.length === DATA.configs.length ? null : new Set(active);
      renderTable();
    });
  }

  function range(values) {
    const v = values.filter((x) => typeof x === 'number');
    return v.length ? { min: Math.min(...v), max: Math.max(...v) === Math.min(...v) ? Math.min(...v) + 1 : Math.max(...v) }
      : { min: 0, max: 1 };
  }

  function clearBrush() {
    const chart = charts.parallel;
    if (!chart) return;
    const axes = chart.getOption().parallelAxis.length;
    for (let i = 0; i < axes; i++) {
      chart.dispatchAction({ type: 'axisAreaSelect', parallelAxisIndex: i, intervals: [] });
    }
    table.brushed = null;
    renderTable();
  }

  // ---- one configuration -------------------------------------------------------------
  function showDetail(i) {
    const box = $('detail');
    if (!box || i === undefined || i === null || !DATA.configs[i]) return;
    const c = DATA.configs[i];
    table.selected = i;
    renderTable();
    box.hidden = false;
    box.dataset.config = c.label;
    $('detail-title').textContent = c.label + ' (rank ' + c.rank + ', ' + c.seeds + ' seed(s), ' +
      c.diverged + ' diverged)';
    seedsOf(charts['detail-seeds'] || init($('detail-seeds'), 'detail-seeds'), i);
    accuracy(charts['detail-acc'] || init($('detail-acc'), 'detail-acc'), i);
    epochTable(c);
    comparisonsOf(i);
    box.scrollIntoView({ block: 'nearest' });
  }

  function accuracy(chart, i) {
    const c = DATA.configs[i];
    const series = ['train_acc', 'test_acc'].map((name, s) => ({ type: 'line', name: name.replace('_', ' '),
      showSymbol: c.bands[curveIndex(name)].length < 30, color: PALETTE[s],
      data: c.bands[curveIndex(name)].map((r) => ({ value: [r[0], r[2]], band: r })) }));
    chart.setOption({
      title: { text: 'accuracy: median over seeds', left: 0, textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'item', confine: true, formatter: (d) => esc(d.seriesName) + ', epoch ' +
        d.data.band[0] + ': <b>' + num(d.data.band[2]) + '</b> [' + num(d.data.band[1]) + ', ' +
        num(d.data.band[3]) + '] (25-75%), ' + d.data.band[4] + ' seed(s)' },
      legend: { top: 24 },
      grid: { top: 64, left: 50, right: 20, bottom: 40 },
      xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 25, min: 'dataMin' },
      yAxis: { type: 'value', min: 0, max: 1 },
      series: series,
    }, true);
  }

  function epochTable(c) {
    const head = ['epoch', 'seeds', 'train loss', 'train acc', 'test loss', 'test acc'];
    const rows = c.evals.map((r) => {
      const cells = [r[0], r[1]];
      for (let k = 0; k < 4; k++) {
        const [m, q25, q75] = r.slice(2 + 3 * k, 5 + 3 * k);
        cells.push(m === null ? '-' : fixed3(m) + ' [' + fixed3(q25) + ', ' + fixed3(q75) + ']');
      }
      return '<tr>' + cells.map((x) => '<td>' + esc(x) + '</td>').join('') + '</tr>';
    });
    $('detail-epochs').innerHTML = '<thead><tr>' + head.map((h) => '<th>' + h + '</th>').join('') +
      '</tr></thead><tbody>' + rows.join('') + '</tbody>';
  }

  // Its comparisons: the differences found listed, the others folded away.
  function comparisonsOf(i) {
    const list = DATA.comparisons.filter((x) => x.a === i || x.b === i);
    list.sort((x, y) => (x.adjusted === null ? 1 : x.adjusted) - (y.adjusted === null ? 1 : y.adjusted));
    const item = (x) => {
      const other = DATA.configs[x.a === i ? x.b : x.a];
      const numbers = (x.effect ? 'B - A = ' + num(x.effect[0]) + ' [' + num(x.effect[1]) + ', ' +
        num(x.effect[2]) + '], adjusted p ' + num(x.adjusted, 2) : 'no test') +
        ' (A: ' + DATA.configs[x.a].label + ')';
      return '<li>' + esc(x.metric) + ' against <code>' + esc(other ? other.label : '?') + '</code>' +
        (x.setting ? ' (' + esc(x.setting) + ')' : '') + ': ' + esc(x.sentence || numbers) + '</li>';
    };
    const found = list.filter((x) => x.significant);
    const rest = list.filter((x) => !x.significant);
    let html = '<li><b>Differences found (' + found.length + ')</b><ul>' +
      (found.length ? found.map(item).join('') : '<li>none</li>') + '</ul></li>';
    if (DATA.comparisons_total > DATA.comparisons.length) {
      html += '<li>The report has ' + DATA.comparisons_total + ' comparisons; this page carries only ' +
        'the differences found: every comparison is in comparisons.csv.</li>';
    } else {
      html += '<li><details><summary>No detectable difference (' + rest.length + ')</summary><ul>' +
        rest.slice(0, 200).map(item).join('') + (rest.length > 200 ? '<li>... and ' + (rest.length - 200) +
        ' more in comparisons.csv</li>' : '') + '</ul></details></li>';
    }
    $('detail-comparisons').innerHTML = html;
  }

  // ---- the table of contents and the lazy figures -------------------------------------
  function toc() {
    const nav = $('toc');
    const links = [];
    document.querySelectorAll('main section.part h2').forEach((h, i) => {
      if (!h.id) h.id = 'h-' + i + '-' + h.textContent.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      links.push('<a href="#' + h.id + '">' + esc(h.textContent) + '</a>');
    });
    if ($('explore')) links.push('<a href="#explore">Explore</a>');
    nav.innerHTML = links.join('');
  }

  function lazyFigures() {
    const spans = document.querySelectorAll('span.figure');
    if (!('IntersectionObserver' in window)) { spans.forEach(drawFigure); return; }
    const seen = new IntersectionObserver((entries) => entries.forEach((e) => {
      if (e.isIntersecting) { seen.unobserve(e.target); drawFigure(e.target); }
    }), { rootMargin: '300px' });
    spans.forEach((s) => seen.observe(s));
  }

  // ---- live view (served by `sweep serve`) ------------------------------------------
  const live = { was: null };
  // How often the served page asks for live.json.
  const POLL_MS = 2000;

  function poll() {
    fetch('live.json', { cache: 'no-store' })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error('HTTP ' + r.status))))
      .then(showLive)
      .catch((e) => { $('live-state').textContent = 'cannot reach the server (' + e.message + ')'; })
      .finally(() => setTimeout(poll, POLL_MS));
  }

  function showLive(s) {
    const box = $('live');
    box.hidden = false;
    box.dataset.state = s.state;
    box.dataset.done = s.done;
    const state = $('live-state');
    state.textContent = s.state === 'running' ? 'the sweep is running' :
      s.state === 'finished' ? 'the sweep has finished' : 'the sweep has stopped (' + s.planned_missing + ' run(s) not recorded)';
    state.className = 'state-' + s.state;
    $('live-bar').style.width = (s.planned ? 100 * s.done / s.planned : 0) + '%';
    $('live-counts').textContent = s.done + ' of ' + s.planned + ' runs recorded, ' + s.diverged +
      ' diverged' + (s.eta_s !== null && s.state === 'running' ? ', about ' + duration(s.eta_s) + ' left' : '') +
      ' (as of ' + new Date(s.at_ms).toLocaleTimeString() + ')' + reloadHint(s);
    $('live-best').innerHTML = '<thead><tr><th>configuration</th><th>seeds</th><th>final test acc, median</th>' +
      '<th>final train loss, median</th></tr></thead><tbody>' + s.best.map((b) => '<tr><td>' + esc(b.label) +
      '</td><td>' + b.runs + '</td><td>' + num(b.final_test_acc) + '</td><td>' + num(b.final_train_loss) +
      '</td></tr>').join('') + '</tbody>';
    const chart = charts.live || init($('live-chart'), 'live');
    // Redrawn whole every poll: no animation, which would restart each time.
    chart.setOption({ animation: false,
      tooltip: { trigger: 'item', confine: true, formatter: (d) => esc(d.seriesName) +
      '<br>epoch ' + d.value[0] + ': <b>' + num(d.value[1]) + '</b>' },
      legend: { type: 'scroll', top: 0 }, grid: { top: 30, left: 55, right: 15, bottom: 35 },
      xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 22 },
      yAxis: { type: 'log' },
      series: s.best.map((b, i) => ({ type: 'line', name: b.label, showSymbol: false, color: PALETTE[i % 10],
        data: b.curve })) }, true);
    if (live.was === 'running' && s.state !== 'running' && DATA === null && s.report) location.reload();
    live.was = s.state;
  }

  function reloadHint(s) {
    return s.state === 'finished' && s.report && DATA !== null && live.was === 'running'
      ? '; reload for the final report' : '';
  }

  const duration = (s) => (s < 90 ? Math.round(s) + ' s' : s < 5400 ? Math.round(s / 60) + ' min' :
    (s / 3600).toFixed(1) + ' h');

  // ---- start ----------------------------------------------------------------------
  if (DATA !== null) {
    toc();
    setupTable();
    parallel();
    lazyFigures();
  }
  if (location.protocol === 'http:' || location.protocol === 'https:') poll();
  performance.mark('sweep-ready');
  window.sweepReadyMs = performance.now();
  document.documentElement.dataset.ready = '1';
})();
