// @ts-check
// The Deep Linking course picker (served by /lti/launch, not the console): the search box narrows
// the list as one types (title and description, case-insensitive; every word must match), the count
// under it says how many are shown and chosen, and "Add" with nothing chosen is stopped here with a
// message instead of a server error page. Without this script the form still works: all courses
// show and the server checks the choice.

const search = /** @type {HTMLInputElement | null} */ (document.getElementById('picker-search'));
const count = document.getElementById('picker-count');
const none = document.getElementById('picker-none');
const error = document.getElementById('picker-error');
const items = /** @type {HTMLElement[]} */ ([...document.querySelectorAll('.picker-item')]);
const form = /** @type {HTMLFormElement | null} */ (document.querySelector('form'));

/** @param {number} n @param {string} one @param {string} many */
function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function chosen() {
  return items.filter((li) => /** @type {HTMLInputElement} */ (li.querySelector('input')).checked).length;
}

function update() {
  const words = (search?.value ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const li of items) {
    const text = li.dataset.search ?? '';
    const match = words.every((w) => text.includes(w));
    li.hidden = !match;
    shown += match ? 1 : 0;
  }
  if (none) {
    none.hidden = shown > 0;
  }
  if (count) {
    const selected = chosen();
    const total = words.length ? `${shown} of ${plural(items.length, 'course', 'courses')}` : plural(items.length, 'course', 'courses');
    count.textContent = selected ? `${total} · ${selected} selected` : total;
  }
}

search?.addEventListener('input', update);
form?.addEventListener('change', () => {
  if (error && chosen() > 0) {
    error.hidden = true;
  }
  update();
});
form?.addEventListener('submit', (e) => {
  const submitter = /** @type {HTMLButtonElement | null} */ (e.submitter);
  if (submitter?.value === 'add' && chosen() === 0) {
    e.preventDefault();
    if (error) {
      error.hidden = false;
    }
    (items.find((li) => !li.hidden)?.querySelector('input') ?? search)?.focus();
  }
});

// A module (the page loads it with type="module"): its names stay its own.
export {};
