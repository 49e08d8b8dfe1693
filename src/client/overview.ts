// The overview's filters: search, squad, service and state, and the sort order, applied to the rows the
// server rendered (each row carries its values in data-* attributes). The choice lives in the URL, so a
// filtered view can be shared, and is applied again after every live update.

const form = document.getElementById('slo-filters') as HTMLFormElement | null;
const counter = document.getElementById('slo-count');

type SortKey = 'budget' | 'name' | 'burn1h' | 'squad';

function rows(): HTMLTableRowElement[] {
  return [...document.querySelectorAll<HTMLTableRowElement>('#slo-rows > tr')];
}

function choice(name: string): string {
  const field = form?.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
  return field?.value ?? '';
}

function compare(key: SortKey): (a: HTMLTableRowElement, b: HTMLTableRowElement) => number {
  const num = (row: HTMLTableRowElement, field: string) => Number(row.dataset[field] ?? '0');
  const text = (row: HTMLTableRowElement, field: string) => row.dataset[field] ?? '';
  switch (key) {
    case 'name':
      return (a, b) => text(a, 'name').localeCompare(text(b, 'name'));
    case 'squad':
      return (a, b) => text(a, 'squad').localeCompare(text(b, 'squad')) || text(a, 'name').localeCompare(text(b, 'name'));
    case 'burn1h':
      return (a, b) => num(b, 'burn1h') - num(a, 'burn1h') || text(a, 'name').localeCompare(text(b, 'name'));
    default:
      return (a, b) => num(a, 'budget') - num(b, 'budget') || text(a, 'name').localeCompare(text(b, 'name'));
  }
}

function apply(): void {
  const search = choice('q').trim().toLowerCase();
  const squad = choice('squad');
  const service = choice('service');
  const state = choice('state');
  const sort = (choice('sort') || 'budget') as SortKey;
  const all = rows();
  let shown = 0;
  for (const row of all) {
    const d = row.dataset;
    const visible =
      (search === '' || (d.search ?? '').includes(search)) && (squad === '' || d.squad === squad) && (service === '' || d.service === service) && (state === '' || d.state === state);
    row.hidden = !visible;
    if (visible) shown++;
  }
  const body = document.getElementById('slo-rows');
  if (body) {
    const sorted = all.sort(compare(sort));
    const fragment = document.createDocumentFragment();
    for (const row of sorted) fragment.append(row);
    body.append(fragment);
  }
  if (counter) counter.textContent = `${shown} of ${all.length} SLOs shown`;
  const params = new URLSearchParams();
  for (const [name, value] of [['q', search], ['squad', squad], ['service', service], ['state', state], ['sort', sort === 'budget' ? '' : sort]] as const) {
    if (value !== '') params.set(name, value);
  }
  const query = params.toString();
  history.replaceState(null, '', query === '' ? location.pathname : `${location.pathname}?${query}`);
}

if (form) {
  const params = new URLSearchParams(location.search);
  for (const name of ['q', 'squad', 'service', 'state', 'sort']) {
    const field = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
    const value = params.get(name);
    if (field && value !== null) field.value = value;
  }
  form.addEventListener('input', apply);
  form.addEventListener('submit', (event) => event.preventDefault());
  document.addEventListener('vigil:updated', apply);
  apply();
}
