// The interactive page of `stackc render --to html`: evaluates the circuit
// stackc embeds (the JSON of src/analysis/export.rs) for any failure set,
// and explains each dark record and stopped server in `stackc simulate`'s
// words (the walk of src/analysis/lanes.rs `why`, the wording of
// availability.rs `chain_text`). Plain JavaScript, no framework, nothing
// fetched.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('stackc-data').textContent);
  var C = data.circuit;
  var facts = data.facts;
  var NS = C.servers.length;
  var NG = C.gates.length;
  var CHAIN_HEAD = 4, CHAIN_TAIL = 2, CHAIN_WALK = 512;

  // Names as `--fail` takes them: a server, else a group, else a zone.
  var serverIx = new Map(), groupIx = new Map(), zoneIx = new Map();
  C.servers.forEach(function (n, i) { if (!serverIx.has(n)) serverIx.set(n, i); });
  C.groups.forEach(function (g, i) { if (!groupIx.has(g[0])) groupIx.set(g[0], i); });
  C.zones.forEach(function (n, i) { if (!zoneIx.has(n)) zoneIx.set(n, i); });

  function serversOf(name) {
    name = String(name).trim();
    if (name === '') throw new Error('a name may not be empty');
    if (serverIx.has(name)) return [serverIx.get(name)];
    if (groupIx.has(name)) return C.groups[groupIx.get(name)][1].slice();
    if (zoneIx.has(name)) {
      var z = zoneIx.get(name), out = [];
      for (var s = 0; s < NS; s++) if (C.zone_of[s] === z) out.push(s);
      return out;
    }
    throw new Error('`' + name + '` is not a server, group or zone');
  }

  // Every gate's value (1 holds, 0 not) with the servers of `down` down.
  function evaluate(down) {
    var v = new Uint8Array(NG);
    for (var i = 0; i < NG; i++) {
      var g = C.gates[i], r = 0, k;
      switch (g[0]) {
        case 3:
          r = down[g[1]] ? 0 : 1;
          for (k = 2; r && k < g.length; k++) r = v[g[k]];
          break;
        case 4:
          for (k = 1; k < g.length; k++) if (v[g[k]]) { r = 1; break; }
          break;
        case 5: case 6:
          for (k = 2; k < g.length; k++) if (v[g[k]]) { r = 1; break; }
          break;
        case 7:
          for (k = 2; k < g.length; k++) {
            if (!down[g[k]]) { r = v[C.cells[g[k]]]; break; }
          }
          break;
        case 8:
          var n = 0;
          for (k = 3; k < g.length; k++) n += v[g[k]];
          r = n >= g[2] ? 1 : 0;
          break;
        default:
          r = 0; // never: a write to a replica, a group without primary
      }
      v[i] = r;
    }
    return v;
  }

  var baseline = evaluate(new Uint8Array(NS));

  // The chain of steps that explains why `cell` does not hold: the walk of
  // lanes.rs `why` (prefer the input this failure set changed), bounded to
  // its first CHAIN_HEAD and last CHAIN_TAIL steps.
  function why(cell, v, down, failed) {
    var bit = function (c) { return v[c] === 1; };
    var changed = function (c) { return v[c] !== baseline[c]; };
    var pick = function (g, from) {
      var first = -1;
      for (var k = from; k < g.length; k++) {
        var c = g[k];
        if (!bit(c)) {
          if (changed(c)) return c;
          if (first < 0) first = c;
        }
      }
      return first;
    };
    var head = [], tail = [], skipped = 0;
    var push = function (s) {
      if (head.length < CHAIN_HEAD) { head.push(s); return; }
      tail.push(s);
      if (tail.length > CHAIN_TAIL) { tail.shift(); skipped++; }
    };
    var onChanged = true, cur = cell, visited = 0;
    while (cur >= 0) {
      var c = cur;
      cur = -1;
      if (bit(c)) break;
      if (visited === CHAIN_WALK) {
        head.push({ t: 'skip', hops: skipped + tail.length, more: true });
        if (onChanged && failed.length === 1) head.push({ t: 'down', s: failed[0] });
        return head;
      }
      visited++;
      onChanged = onChanged && changed(c);
      var g = C.gates[c];
      switch (g[0]) {
        case 1: push({ t: 'rw', s: g[1] }); break;
        case 2: push({ t: 'np', g: g[1] }); break;
        case 3:
          if (down[g[1]]) push({ t: 'down', s: g[1] });
          else { push({ t: 'server', s: g[1] }); cur = pick(g, 2); }
          break;
        case 4: cur = pick(g, 1); break;
        case 5: push({ t: 'entry', e: g[1] }); cur = pick(g, 2); break;
        case 6: push({ t: 'group', g: g[1] }); cur = pick(g, 2); break;
        case 8: push({ t: 'group', g: g[1] }); cur = pick(g, 3); break;
        case 7:
          var holder = -1;
          for (var k = 2; k < g.length; k++) if (!down[g[k]]) { holder = g[k]; break; }
          if (holder >= 0) { push({ t: 'holder', g: g[1], s: holder }); cur = C.cells[holder]; }
          else { push({ t: 'group', g: g[1] }); cur = g.length > 2 ? C.cells[g[2]] : -1; }
          break;
        default: break;
      }
    }
    if (skipped > 0) head.push({ t: 'skip', hops: skipped, more: false });
    return head.concat(tail);
  }

  // A chain in words: `www.foobar.com -> lb (held by lb-01) -> web-01 (down)`.
  function chainText(chain) {
    var parts = [], last = -1;
    for (var k = 0; k < chain.length; k++) {
      var st = chain[k], part;
      switch (st.t) {
        case 'entry':
          if (!C.entries[st.e][2] && k + 1 < chain.length) continue;
          part = C.entries[st.e][0];
          break;
        case 'skip':
          last = -1;
          var hops = st.more ? 'over ' + st.hops + ' more hops'
            : st.hops === 1 ? '1 more hop' : st.hops + ' more hops';
          part = '\u2026 ' + hops + ' \u2026';
          break;
        case 'group': part = C.groups[st.g][0]; break;
        case 'holder':
          last = st.s;
          part = C.groups[st.g][0] + ' (held by ' + C.servers[st.s] + ')';
          break;
        case 'server': case 'down':
          if (last === st.s) {
            if (st.t === 'down' && parts.length) parts[parts.length - 1] += ' (down)';
            continue;
          }
          last = st.s;
          part = C.servers[st.s] + (st.t === 'down' ? ' (down)' : '');
          break;
        case 'rw': part = C.servers[st.s] + ' (a replica: takes no writes)'; break;
        case 'np': part = C.groups[st.g][0] + ' (no primary)'; break;
        default: continue;
      }
      parts.push(part);
    }
    return parts.join(' -> ');
  }

  // One failure set evaluated in full, as `simulate` does.
  function run(names) {
    if (!Array.isArray(names)) throw new Error('fail takes an array of names');
    var down = new Uint8Array(NS), failed = [];
    names.forEach(function (n) {
      serversOf(n).forEach(function (s) {
        if (!down[s]) { down[s] = 1; failed.push(s); }
      });
    });
    var v = evaluate(down);
    var dark = [], stopped = [];
    C.entries.forEach(function (e, i) {
      if (!v[e[1]]) dark.push({ entry: i, record: e[0], chain: why(e[1], v, down, failed) });
    });
    for (var s = 0; s < NS; s++) {
      var cell = C.cells[s];
      if (baseline[cell] && !v[cell]) stopped.push({ server: C.servers[s], s: s, chain: why(cell, v, down, failed) });
    }
    return { serves: !C.no_entry && dark.length === 0, dark: dark, stopped: stopped, down: down, failed: failed };
  }

  // What `stackc simulate --fail NAMES --format json` says, in its order.
  function fail(names) {
    var r = run(names);
    return {
      serves: r.serves,
      dark: r.dark.map(function (d) { return d.record; }),
      stopped: r.stopped.map(function (s) { return s.server; })
    };
  }

  // The same with the reasons: simulate's `why` of each entry and server.
  function explain(names) {
    var r = run(names);
    return {
      serves: r.serves,
      down: r.failed.map(function (s) { return C.servers[s]; }),
      dark: r.dark.map(function (d) { return { record: d.record, why: chainText(d.chain) }; }),
      stopped: r.stopped.map(function (s) { return { server: s.server, why: chainText(s.chain) }; })
    };
  }

  // ---- the page ----
  var root = document.documentElement;
  var selected = []; // the failure set, in the order it was built
  var state = { serves: true, dark: [], stopped: [] };

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function fillList(id, items, render) {
    var ul = document.getElementById(id);
    ul.textContent = '';
    if (!items.length) { ul.appendChild(el('li', 'none', 'none')); return; }
    items.forEach(function (x) { ul.appendChild(render(x)); });
  }
  function each(selector, f) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), f);
  }
  function titleOf(node) {
    for (var c = node.firstChild; c; c = c.nextSibling) if (c.nodeName === 'title') return c;
    return null;
  }
  // Keeps the drawing's own tooltip and puts the reason in front of it.
  function setReason(node, reason) {
    var t = titleOf(node);
    if (!t) return;
    if (node.__stackcTitle === undefined) node.__stackcTitle = t.textContent;
    t.textContent = reason ? reason + '\n' + node.__stackcTitle : node.__stackcTitle;
  }

  function update() {
    var r = run(selected);
    state = r;
    var downSet = new Set(selected);
    var darkBy = new Map(r.dark.map(function (d) { return [d.record, chainText(d.chain)]; }));
    var stoppedBy = new Map(r.stopped.map(function (s) { return [s.server, s]; }));
    each('[data-element]', function (n) {
      var name = n.getAttribute('data-element');
      var isServer = serverIx.has(name);
      var downNow = downSet.has(name) || (isServer && r.down[serverIx.get(name)] === 1);
      n.setAttribute('aria-pressed', downSet.has(name) ? 'true' : 'false');
      n.classList.toggle('is-down', downNow);
      var st = isServer ? stoppedBy.get(name) : undefined;
      n.classList.toggle('is-stopped', !downNow && st !== undefined);
      setReason(n, downNow ? 'DOWN' : st ? 'STOPPED: needs ' + chainText(st.chain.slice(1)) : '');
    });
    each('[data-record]', function (n) {
      var name = n.getAttribute('data-record');
      n.classList.toggle('is-dark', darkBy.has(name));
      setReason(n, darkBy.has(name) ? 'DARK: ' + darkBy.get(name) : '');
    });
    var verdict = document.getElementById('stackc-verdict');
    if (!selected.length && r.serves) verdict.textContent = 'Nothing is down: the stack serves.';
    else if (r.serves) verdict.textContent = 'The stack still serves.';
    else if (C.no_entry) verdict.textContent = 'The stack serves nothing: it has no entry point.';
    else verdict.textContent = 'The stack does not serve: ' + r.dark.length + ' record' + (r.dark.length === 1 ? '' : 's') + ' dark.';
    verdict.className = 'verdict ' + (r.serves ? 'ok' : 'bad');
    fillList('stackc-set', selected, function (n) {
      var kind = serverIx.has(n) ? '' : groupIx.has(n) ? 'group ' : 'zone ';
      var li = el('li', kind + n + ' ');
      var b = el('button', 'bring back', 'try');
      b.type = 'button';
      b.setAttribute('aria-label', 'bring ' + n + ' back');
      b.addEventListener('click', function () { toggle(n); });
      li.appendChild(b);
      return li;
    });
    fillList('stackc-dark', r.dark, function (d) {
      var li = el('li', d.record);
      li.appendChild(el('span', chainText(d.chain)));
      return li;
    });
    fillList('stackc-stopped', r.stopped, function (s) {
      var li = el('li', s.server);
      li.appendChild(el('span', s.chain.length <= 1 ? 'down' : 'needs ' + chainText(s.chain.slice(1))));
      return li;
    });
  }

  function toggle(name) {
    var i = selected.indexOf(name);
    if (i >= 0) selected.splice(i, 1); else { serversOf(name); selected.push(name); }
    update();
  }
  function set(names) {
    names.forEach(serversOf);
    selected = names.slice();
    update();
  }
  function reset() { selected = []; update(); }

  // What does not change: SPOFs, cuts, availability.
  function tryButton(names) {
    var b = el('button', 'try', 'try');
    b.type = 'button';
    b.setAttribute('aria-label', 'take ' + names.join(' and ') + ' down');
    b.addEventListener('click', function () { set(names); });
    return b;
  }
  function section(id, heading, items, render, empty) {
    var box = document.getElementById(id);
    box.appendChild(el('h3', heading));
    if (!items.length) { box.appendChild(el('p', empty, 'none')); return; }
    var ul = el('ul', undefined, 'why');
    items.forEach(function (x) { ul.appendChild(render(x)); });
    box.appendChild(ul);
  }
  function showFacts() {
    if (facts.broken.length) {
      var p = el('p', 'Dark with nothing down: ' + facts.broken.join(', '), 'verdict bad');
      document.getElementById('stackc-spofs').appendChild(p);
    }
    section('stackc-spofs', 'Single points of failure', facts.spofs, function (f) {
      var li = el('li', (f.zone ? 'zone ' : '') + f.elements.join(' + '));
      li.appendChild(tryButton(f.elements));
      li.appendChild(el('span', 'darkens ' + f.dark.join(', ') + '; the chain: ' + f.why));
      return li;
    }, 'none: no single server or zone darkens a record');
    var cuts = facts.cuts;
    if (cuts.refused) {
      section('stackc-cuts', 'Cuts up to ' + cuts.max, [], null, 'not searched: ' + cuts.refused);
    } else {
      section('stackc-cuts', 'Cuts of 2' + (cuts.max > 2 ? ' to ' + cuts.max : '') + ' elements', cuts.list, function (k) {
        var li = el('li', k.labels.join(' + '));
        li.appendChild(tryButton(k.elements));
        li.appendChild(el('span', 'darkens ' + k.dark.join(', ')));
        return li;
      }, 'none up to ' + cuts.max + ' elements');
    }
    var av = facts.availability;
    if (av) {
      var box = document.getElementById('stackc-availability');
      box.appendChild(el('h3', 'Availability (nothing down, per year)'));
      if (av.refused) { box.appendChild(el('p', 'not computed: ' + av.refused, 'none')); return; }
      var p2 = el('p');
      p2.appendChild(el('span', 'stack ' + av.stack, 'figure'));
      p2.appendChild(document.createTextNode(' \u2248 ' + av.downtime + ' down a year' + (av.slo ? ' (slo ' + av.slo + ')' : '')));
      box.appendChild(p2);
      var ul = el('ul');
      av.entries.forEach(function (e) { ul.appendChild(el('li', e[0] + ': ' + e[1])); });
      box.appendChild(ul);
      if (av.gains.length) {
        box.appendChild(el('p', 'Most gained by making always up: ' + av.gains.map(function (g) { return g[0] + ' (' + g[1] + ' a year)'; }).join(', '), 'none'));
      }
    }
  }

  // Themes: the reader's choice, else the system's, else stackc's --theme.
  // The page holds the drawing in stackc's theme; the other one differs only
  // in its colours, listed in order (found by the rule of `colour_split` in
  // src/render/html/mod.rs), or comes whole.
  var COLOUR = /#[0-9a-fA-F]{6}(?![0-9A-Za-z])/g;
  var svgBox = document.getElementById('stackc-svg');
  var firstTheme = root.getAttribute('data-default-theme') === 'dark' ? 'dark' : 'light';
  var drawn = {};
  drawn[firstTheme] = svgBox.innerHTML;
  var shown = firstTheme;
  var ready = false;
  function markup(t) {
    if (drawn[t] === undefined) {
      var o = data.other_theme, i = 0;
      drawn[t] = o.svg !== undefined ? o.svg : drawn[firstTheme].replace(COLOUR, function (m) {
        return i < o.colours.length ? o.colours[i++] : m;
      });
    }
    return drawn[t];
  }
  var themeButton = document.getElementById('stackc-theme');
  function setTheme(t) {
    root.setAttribute('data-theme', t);
    themeButton.textContent = t === 'dark' ? 'Light theme' : 'Dark theme';
    themeButton.setAttribute('aria-pressed', t === 'dark' ? 'true' : 'false');
    if (t !== shown) {
      svgBox.innerHTML = markup(t);
      shown = t;
      if (ready) update();
    }
  }
  var mq = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  var mqLight = window.matchMedia ? window.matchMedia('(prefers-color-scheme: light)') : null;
  var chosen = null;
  setTheme(mq && mq.matches ? 'dark' : mqLight && mqLight.matches ? 'light' : (root.getAttribute('data-default-theme') || 'light'));
  if (mq && mq.addEventListener) mq.addEventListener('change', function (e) { if (!chosen) setTheme(e.matches ? 'dark' : 'light'); });
  themeButton.addEventListener('click', function () {
    chosen = root.getAttribute('data-theme') === 'dark' ? 'light' : 'dark';
    setTheme(chosen);
  });
  document.getElementById('stackc-reset').addEventListener('click', reset);

  var diagram = document.getElementById('stackc-diagram');
  diagram.addEventListener('click', function (ev) {
    var t = ev.target.closest ? ev.target.closest('[data-element]') : null;
    if (t) { ev.stopPropagation(); toggle(t.getAttribute('data-element')); }
  });
  // Keep the focused server or zone in view in a drawing wider than the page.
  diagram.addEventListener('focusin', function (ev) {
    var t = ev.target.closest ? ev.target.closest('[data-element]') : null;
    if (t && t.scrollIntoView) t.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  });
  diagram.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Enter' && ev.key !== ' ' && ev.key !== 'Spacebar') return;
    var t = ev.target.closest ? ev.target.closest('[data-element]') : null;
    if (!t) return;
    ev.preventDefault();
    toggle(t.getAttribute('data-element'));
  });

  showFacts();
  ready = true;
  update();
  window.stackc = {
    version: C.stackc_circuit,
    fail: fail,
    explain: explain,
    toggle: toggle,
    set: set,
    reset: reset,
    failureSet: function () { return selected.slice(); },
    state: function () { return { serves: state.serves, dark: state.dark.map(function (d) { return d.record; }), stopped: state.stopped.map(function (s) { return s.server; }) }; }
  };
}());
