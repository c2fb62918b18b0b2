import { recorderToken, requireAgent } from './demo.js';

const CUSTOMERS = [
  ['Jordan Lee', '+1 555 0100', '2019', 2], ['Avery Brooks', '+1 555 0111', '2021', 0], ['Sam Patel', '+1 555 0123', '2017', 1],
  ['Riley Chen', '+1 555 0142', '2022', 0], ['Morgan Diaz', '+1 555 0150', '2020', 3], ['Casey Novak', '+1 555 0166', '2018', 0],
];
const $ = (id) => document.getElementById(id);

function renderCustomers(filter = '') {
  const rows = CUSTOMERS.filter(([name, phone]) => `${name} ${phone}`.toLowerCase().includes(filter.toLowerCase()));
  $('customers').replaceChildren(
    ...rows.map(([name, phone, since, open]) => {
      const tr = document.createElement('tr');
      for (const v of [name, phone, since, open]) tr.append(Object.assign(document.createElement('td'), { textContent: String(v) }));
      tr.addEventListener('click', () => {
        for (const r of $('customers').children) r.classList.remove('selected');
        tr.classList.add('selected');
      });
      return tr;
    }),
  );
}

$('search').addEventListener('input', (e) => renderCustomers(e.target.value));
$('save-order').addEventListener('click', () => ($('order-saved').textContent = `Saved at ${new Date().toLocaleTimeString()}.`));
$('card-form').addEventListener('submit', (e) => {
  e.preventDefault();
  $('card-saved').textContent = 'Card saved (demo: nothing was sent anywhere).';
  for (const input of e.target.querySelectorAll('input')) input.value = '';
});
renderCustomers();

// This tab has no call audio: it joins whatever interaction the agent's softphone records, as its
// own screen stream (follow), and leaves when the call ends.
async function setUp() {
  const user = await requireAgent();
  if (!user) return;
  const recorder = new DuetRecorder.Recorder({ serverUrl: location.origin, token: await recorderToken(user), tabId: 'crm', cti: false });
  await recorder.restore();
}
void setUp();
