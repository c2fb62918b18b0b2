/* global document, window, history, location */
/**
 * bench/recorder's busy CRM page, plain browser JavaScript with no framework, rendering the way a
 * keyed virtual-DOM framework would (rows are kept by id; a remounted view is built anew):
 *
 * - a customer list of 300 rows (avatar as inline SVG data URI, status badge, tags), filtered on
 *   every keystroke in the search box (rows leave and come back) and patched by a "live feed"
 *   (every 2 s: 12 rows change status and last-contact time; every 10 s: 4 new customers at the
 *   top, the oldest dropped);
 * - a sidebar with queue counters and a call timer, updated every second;
 * - a customer detail view (profile, 40-item activity timeline, a form with masked and unmasked
 *   inputs and a notes textarea);
 * - a ticket grid of 50 rows (a data grid's page) whose columns can be added and sorted: every
 *   change shows a loading row for 300 ms, then rebuilds the grid (a fetch, as Sentry's Discover);
 * - a payment view whose card fields make the recorder pause (PCI);
 * - SPA navigation: history.pushState / popstate and a DOM swap of the main area.
 *
 * All data comes from a seeded PRNG (mulberry32), so every run builds the same DOM and the live
 * feed makes the same changes in the same order. `window.__crm` exposes counters for the bench.
 */
(function () {
  'use strict';
  const seed = Number(new URLSearchParams(location.search).get('seed') || 42);
  function mulberry32(a) {
    return function () {
      a |= 0;
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const rand = mulberry32(seed);
  const feedRand = mulberry32(seed + 1);
  const sidebarRand = mulberry32(seed + 2);
  const pick = (r, list) => list[Math.floor(r() * list.length)];

  const FIRST = ['Maria', 'James', 'Aisha', 'Chen', 'Lukas', 'Sofia', 'Mateo', 'Priya', 'Olga', 'Kwame', 'Marta', 'Noah', 'Emma', 'Yuki', 'Omar', 'Lena', 'Ravi', 'Ines', 'Tomas', 'Hana'];
  const LAST = ['Lee', 'Garcia', 'Novak', 'Okafor', 'Schmidt', 'Rossi', 'Tanaka', 'Silva', 'Kowalski', 'Mensah', 'Martin', 'Dubois', 'Larsen', 'Haddad', 'Moreau', 'Patel', 'Marek', 'Costa'];
  const COMPANY = ['Acme Utilities', 'Northwind Energy', 'Blue Harbor Telecom', 'Globex Insurance', 'Initech Bank', 'Umbrella Health', 'Stark Mobile', 'Wayne Water', 'Hooli Broadband'];
  const STATUS = ['open', 'pending', 'waiting', 'resolved', 'escalated'];
  const TAGS = ['vip', 'churn-risk', 'billing', 'outage', 'new', 'b2b', 'late-payment', 'upgrade', 'complaint'];
  const COLORS = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2', '#db2777'];

  const avatar = (initials, color) =>
    'data:image/svg+xml,' +
    encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28"><circle cx="14" cy="14" r="14" fill="${color}"/><text x="14" y="18" font-size="11" text-anchor="middle" fill="#fff" font-family="sans-serif">${initials}</text></svg>`);

  let nextId = 1;
  const daysAgo = (d) => new Date(Date.UTC(2026, 10, 23) - d * 86400000).toISOString().slice(0, 10);
  function makeCustomer() {
    const first = pick(rand, FIRST);
    const last = pick(rand, LAST);
    const id = nextId++;
    return {
      id,
      name: `${first} ${last}`,
      company: pick(rand, COMPANY),
      email: `${first}.${last}${id}@example.com`.toLowerCase(),
      phone: `+1 555 ${String(1000 + Math.floor(rand() * 9000))} ${String(100 + Math.floor(rand() * 900))}`,
      status: pick(rand, STATUS),
      last: daysAgo(Math.floor(rand() * 90)),
      balance: (rand() * 2000).toFixed(2),
      tags: [pick(rand, TAGS), pick(rand, TAGS)].filter((t, i, a) => a.indexOf(t) === i),
      avatar: avatar(first[0] + last[0], pick(rand, COLORS)),
    };
  }
  const LIST_SIZE = 300;
  const customers = Array.from({ length: LIST_SIZE }, makeCustomer);
  const tickets = Array.from({ length: 50 }, (_, i) => ({
    id: 5000 + i,
    subject: `${pick(rand, ['Bill too high', 'No signal', 'Move service', 'Cancel plan', 'Refund request', 'Router broken', 'Change address'])} #${i}`,
    customer: pick(rand, customers).name,
    priority: pick(rand, ['low', 'normal', 'high', 'urgent']),
    status: pick(rand, STATUS),
    agent: pick(rand, ['alex', 'blair', 'casey', 'devon']),
    created: daysAgo(Math.floor(rand() * 30)),
    sla: `${Math.floor(rand() * 48)}h`,
    channel: pick(rand, ['phone', 'email', 'chat']),
    csat: String(1 + Math.floor(rand() * 5)),
    region: pick(rand, ['north', 'south', 'east', 'west']),
  }));
  const ALL_COLUMNS = ['subject', 'customer', 'priority', 'status', 'agent', 'created', 'sla', 'channel', 'csat', 'region'];

  const state = { query: '', view: 'customers', selected: customers[0].id, columns: ALL_COLUMNS.slice(0, 4), sortBy: 'id', sortDir: 1 };
  const counters = { renders: 0, feedTicks: 0, navigations: 0, paid: 0, nodesAdded: 0 };
  /** elements under `el` (itself included): what a render added to the DOM */
  const countNodes = (el) => 1 + el.getElementsByTagName('*').length;
  window.__crm = counters;

  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  const $ = (sel) => document.querySelector(sel);

  // ---- views ---------------------------------------------------------------------------------

  function rowHtml(c) {
    return `<tr data-id="${c.id}" class="row status-${c.status}"><td><img src="${c.avatar}" width="28" height="28" alt=""></td>
<td class="name"><a href="/customers/${c.id}" data-nav="detail" data-id="${c.id}">${esc(c.name)}</a><div class="sub">${esc(c.company)}</div></td>
<td>${esc(c.email)}</td><td>${esc(c.phone)}</td><td><span class="badge ${c.status}">${c.status}</span></td>
<td class="last">${c.last}</td><td class="num">$${c.balance}</td><td>${c.tags.map((t) => `<span class="tag">${t}</span>`).join('')}</td></tr>`;
  }

  /** the list's row elements by customer id, for the mounted list only (a remount starts empty) */
  let rowEls = new Map();
  const template = document.createElement('template');
  function rowFor(c) {
    let tr = rowEls.get(c.id);
    if (!tr) {
      template.innerHTML = rowHtml(c);
      tr = template.content.firstElementChild;
      rowEls.set(c.id, tr);
    }
    return tr;
  }

  /** keyed reconciliation: rows not wanted leave, missing rows are inserted in order, the rest stay */
  function renderList() {
    const tbody = $('#customer-rows');
    if (!tbody) return;
    const q = state.query.toLowerCase();
    const rows = q ? customers.filter((c) => c.name.toLowerCase().includes(q) || c.company.toLowerCase().includes(q) || c.email.includes(q)) : customers;
    const wanted = new Set(rows.map((c) => c.id));
    for (const tr of [...tbody.children]) if (!wanted.has(Number(tr.dataset.id))) tr.remove();
    let cursor = tbody.firstElementChild;
    for (const c of rows) {
      const tr = rowFor(c);
      if (tr === cursor) cursor = cursor.nextElementSibling;
      else {
        if (!tr.isConnected) counters.nodesAdded += countNodes(tr);
        tbody.insertBefore(tr, cursor);
      }
    }
    for (const id of rowEls.keys()) if (!customers.some((c) => c.id === id)) rowEls.delete(id);
    $('#result-count').textContent = `${rows.length} customers`;
    counters.renders++;
  }

  function customersView() {
    return `<section class="view" id="customers-view"><div class="toolbar"><input id="search" type="search" placeholder="Search customers" data-duet-unmask autocomplete="off">
<span id="result-count"></span><button id="new-customer" type="button">New customer</button></div>
<div class="table-wrap"><table class="grid"><thead><tr><th></th><th>Name</th><th>Email</th><th>Phone</th><th>Status</th><th>Last contact</th><th>Balance</th><th>Tags</th></tr></thead>
<tbody id="customer-rows"></tbody></table></div></section>`;
  }

  function detailView() {
    const c = customers.find((x) => x.id === state.selected) || customers[0];
    const r = mulberry32(c.id);
    const items = Array.from({ length: 40 }, (_, i) => {
      const kind = pick(r, ['call', 'email', 'payment', 'note', 'ticket']);
      return `<li class="act ${kind}"><span class="when">${daysAgo(i * 2)}</span><b>${kind}</b> ${esc(pick(r, ['Asked about the last invoice', 'Reported an outage', 'Paid by card', 'Requested a callback', 'Changed plan', 'Left a voicemail']))}</li>`;
    }).join('');
    return `<section class="view" id="detail-view"><div class="profile"><img src="${c.avatar}" width="64" height="64" alt=""><div><h2>${esc(c.name)}</h2><p>${esc(c.company)} · ${esc(c.email)} · ${esc(c.phone)}</p>
<p>Status <span class="badge ${c.status}">${c.status}</span> · Balance $${c.balance}</p></div></div>
<div class="columns"><form id="customer-form" class="card"><h3>Contact details</h3>
<label>Full name <input id="f-name" value="${esc(c.name)}" autocomplete="name"></label>
<label>Email <input id="f-email" type="email" value="${esc(c.email)}" autocomplete="email"></label>
<label>Phone <input id="f-phone" value="${esc(c.phone)}" autocomplete="tel"></label>
<label>Date of birth <input id="f-dob" placeholder="YYYY-MM-DD"></label>
<label>Call reason <select id="f-reason"><option>Billing</option><option>Outage</option><option>Move</option><option>Cancel</option></select></label>
<label>Wrap-up note <textarea id="f-note" rows="3" data-duet-unmask></textarea></label>
<button id="save" type="button">Save</button> <span id="saved"></span></form>
<div class="card"><h3>Activity</h3><ul class="timeline">${items}</ul></div></div></section>`;
  }

  function ticketsView() {
    return `<section class="view" id="tickets-view"><div class="toolbar"><button id="add-column" type="button">Add column</button><span id="column-count"></span></div>
<div class="table-wrap"><table class="grid" id="tickets"></table></div></section>`;
  }

  function renderTickets() {
    const table = $('#tickets');
    if (!table) return;
    const cols = ['id', ...state.columns];
    const sorted = tickets.slice().sort((a, b) => (a[state.sortBy] > b[state.sortBy] ? 1 : a[state.sortBy] < b[state.sortBy] ? -1 : 0) * state.sortDir);
    table.innerHTML =
      `<thead><tr>${cols.map((c) => `<th data-sort="${c}" class="${state.sortBy === c ? 'sorted' : ''}">${c}${state.sortBy === c ? (state.sortDir > 0 ? ' ▲' : ' ▼') : ''}</th>`).join('')}</tr></thead>` +
      `<tbody>${sorted.map((t) => `<tr>${cols.map((c) => `<td class="c-${c}"><span>${esc(t[c])}</span></td>`).join('')}</tr>`).join('')}</tbody>`;
    counters.nodesAdded += countNodes(table) - 1;
    $('#column-count').textContent = `${cols.length} columns, ${sorted.length} tickets`;
    counters.renders++;
  }

  /** a change of the grid's query: a loading row while "fetching", then the new grid */
  let loading;
  function reloadTickets() {
    const body = $('#tickets tbody');
    if (body) body.innerHTML = `<tr><td colspan="12" class="loading">Loading…</td></tr>`;
    clearTimeout(loading);
    loading = setTimeout(renderTickets, 300);
  }

  function paymentView() {
    return `<section class="view" id="payment-view"><form id="pay-form" class="card"><h3>Take a payment</h3>
<p>Outstanding balance: <b>$${(customers.find((x) => x.id === state.selected) || customers[0]).balance}</b></p>
<label>Amount <input id="p-amount" value="49.90" data-duet-unmask></label>
<label>Cardholder <input id="p-holder" autocomplete="cc-name"></label>
<label>Card number <input id="p-card" autocomplete="cc-number" inputmode="numeric"></label>
<label>Expiry <input id="p-exp" autocomplete="cc-exp" placeholder="MM/YY"></label>
<label>CVC <input id="p-cvc" autocomplete="cc-csc"></label>
<button id="pay" type="button">Pay</button> <span id="pay-result"></span></form></section>`;
  }

  const VIEWS = { customers: customersView, detail: detailView, tickets: ticketsView, payment: paymentView };

  function show(view, push) {
    state.view = view;
    const main = $('#main');
    rowEls = new Map();
    main.innerHTML = VIEWS[view]();
    counters.nodesAdded += countNodes(main) - 1;
    document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.nav === view));
    document.title = `CRM · ${view}`;
    if (view === 'customers') {
      const search = $('#search');
      search.value = state.query;
      renderList();
    }
    if (view === 'tickets') {
      // a fresh query each time the grid opens, as a data grid page does
      state.columns = ALL_COLUMNS.slice(0, 4);
      state.sortBy = 'id';
      state.sortDir = 1;
      renderTickets();
    }
    if (push) history.pushState({ view, selected: state.selected }, '', view === 'detail' ? `/customers/${state.selected}` : `/${view}`);
    counters.navigations++;
  }

  // ---- events --------------------------------------------------------------------------------

  document.addEventListener('click', (e) => {
    const t = e.target;
    const nav = t.closest && t.closest('[data-nav]');
    if (nav) {
      e.preventDefault();
      if (nav.dataset.id) state.selected = Number(nav.dataset.id);
      show(nav.dataset.nav, true);
      return;
    }
    if (t.id === 'add-column') {
      const next = ALL_COLUMNS.find((c) => !state.columns.includes(c));
      if (next) state.columns.push(next);
      else state.columns = ALL_COLUMNS.slice(0, 4);
      reloadTickets();
    } else if (t.dataset && t.dataset.sort) {
      if (state.sortBy === t.dataset.sort) state.sortDir = -state.sortDir;
      else {
        state.sortBy = t.dataset.sort;
        state.sortDir = 1;
      }
      reloadTickets();
    } else if (t.id === 'save') {
      $('#saved').textContent = `Saved at ${new Date().toISOString().slice(11, 19)}`;
    } else if (t.id === 'pay') {
      counters.paid++;
      $('#pay-result').textContent = 'Payment accepted';
      for (const id of ['p-card', 'p-exp', 'p-cvc']) $('#' + id).value = '';
    } else if (t.id === 'new-customer') {
      customers.unshift(makeCustomer());
      renderList();
    }
  });
  document.addEventListener('input', (e) => {
    if (e.target.id === 'search') {
      state.query = e.target.value;
      renderList();
    }
  });
  window.addEventListener('popstate', (e) => {
    if (e.state && e.state.view) {
      state.selected = e.state.selected;
      show(e.state.view, false);
    }
  });

  // ---- live activity -------------------------------------------------------------------------

  const callStart = performance.now();
  function tickSidebar() {
    const s = Math.floor((performance.now() - callStart) / 1000);
    $('#call-timer').textContent = `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
    const q = $('#queue');
    for (const li of q.children) li.querySelector('b').textContent = String(Math.floor(sidebarRand() * 40));
  }
  function feed() {
    counters.feedTicks++;
    for (let i = 0; i < 12; i++) {
      const c = customers[Math.floor(feedRand() * customers.length)];
      c.status = pick(feedRand, STATUS);
      c.last = daysAgo(0);
      const tr = rowEls.get(c.id);
      if (tr) {
        tr.className = `row status-${c.status} flash`;
        const badge = tr.querySelector('.badge');
        badge.className = `badge ${c.status}`;
        badge.textContent = c.status;
        tr.querySelector('.last').textContent = c.last;
      }
    }
    if (counters.feedTicks % 5 === 0) {
      for (let i = 0; i < 4; i++) customers.unshift(makeCustomer());
      customers.length = LIST_SIZE;
      renderList();
    }
  }

  function boot() {
    const first = location.pathname.split('/')[1];
    show(VIEWS[first] ? first : 'customers', false);
    history.replaceState({ view: state.view, selected: state.selected }, '', location.pathname + location.search);
    setInterval(tickSidebar, 1000);
    setInterval(feed, 2000);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();
