// @ts-check
// Small DOM helpers. Everything the console renders goes through h()/svg(): text is always set with
// textContent (never innerHTML), so course titles, LMS messages and learner names cannot inject markup.

/** @typedef {import('./types').Child} Child what h() and render() accept: nodes, text, nothing, or lists of them */
/** @typedef {Record<string, string | number | boolean | null | undefined | ((e: Event) => unknown)>} Attrs */

/**
 * @param {Element} el
 * @param {Attrs | undefined} attrs
 * @param {Child[]} children
 */
function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) {
      continue;
    }
    if (typeof v === 'function') {
      if (k.startsWith('on')) {
        el.addEventListener(k.slice(2), v);
      }
    } else if (v === true) {
      el.setAttribute(k, '');
    } else {
      el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

/**
 * h('button', { class: 'primary', onclick: fn }, 'Save') → element.
 * Attributes starting with "on" become listeners; `dataset` and `style` are not supported on purpose.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {Child[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  return /** @type {HTMLElementTagNameMap[K]} */ (build(document.createElement(tag), attrs, children));
}

/**
 * The same for SVG elements (chart.js).
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {Child[]} children
 * @returns {SVGElementTagNameMap[K]}
 */
export function svg(tag, attrs = {}, ...children) {
  return /** @type {SVGElementTagNameMap[K]} */ (build(document.createElementNS('http://www.w3.org/2000/svg', tag), attrs, children));
}

/**
 * @param {Element} el
 * @param {Child[]} children
 */
function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) {
      continue;
    }
    if (Array.isArray(c)) {
      append(el, c);
    } else if (c instanceof Node) {
      el.appendChild(c);
    } else {
      el.appendChild(document.createTextNode(String(c)));
    }
  }
}

/**
 * Replaces the children of `el`.
 * @template {Element} E
 * @param {E} el
 * @param {Child[]} children
 * @returns {E}
 */
export function render(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let fieldCount = 0;

/**
 * A labelled form field; `input` is an element built by the caller.
 * @param {string} label
 * @param {HTMLElement} input
 * @param {string} [hint]
 */
export function field(label, input, hint) {
  const id = input.id || `f-${++fieldCount}`;
  input.id = id;
  const hintEl = hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) {
    input.setAttribute('aria-describedby', hintEl.id);
  }
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hintEl);
}
