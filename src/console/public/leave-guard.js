// @ts-check
// Asks before the admin leaves while work would be lost (an upload going on): the browser's own
// "Leave site?" question when the page unloads, and a confirm() when a console link changes the page
// (router.js asks `mayLeave()` before it shows another page).

let guards = 0;
/** @type {Map<number, string>} the reasons of the guards now held, by guard */
const held = new Map();

/** @param {BeforeUnloadEvent} e */
function onBeforeUnload(e) {
  e.preventDefault();
  e.returnValue = ''; // older Chromium asks only when returnValue is set
}

/**
 * Holds a guard until the returned release() is called (calling it again does nothing).
 * @param {string} reason one sentence, shown when a console link would leave the page
 * @returns {() => void}
 */
export function guardLeaving(reason) {
  const id = ++guards;
  if (held.size === 0) {
    window.addEventListener('beforeunload', onBeforeUnload);
  }
  held.set(id, reason);
  return () => {
    if (!held.delete(id)) {
      return;
    }
    if (held.size === 0) {
      window.removeEventListener('beforeunload', onBeforeUnload);
    }
  };
}

/** True when nothing is held, or the admin agrees to leave anyway. */
export function mayLeave() {
  return held.size === 0 || window.confirm(`${[...new Set(held.values())].join(' ')} Leave anyway?`);
}
