// @ts-check
// The console (issue 5): one page on the app origin, pages as #/ routes (router.js), one ES module per
// job. No framework, no build step; type-checked by ./tsconfig.json and linted with the server code.
// Course content never runs here: a preview opens the player on the content origin in a new tab.
import { route, startRouter } from './router.js';
import { restoreSession } from './session.js';

startRouter();
void restoreSession().then(route);
