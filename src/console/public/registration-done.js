// @ts-check
// The Dynamic Registration outcome and refusal pages (served by /lti/register, not the console): the
// "Close" button tells the LMS the registration is over (`org.imsglobal.lti.close`, DR §3.7). Only on
// that click, so the admin reads which services were granted before the LMS closes the frame.
// The message carries nothing secret; the LMS page's origin is not known here (Canvas's issuer is not
// the school's address), hence '*'.

const closeButton = document.getElementById('close');
closeButton?.addEventListener('click', () => {
  const lms = window.opener ?? (window.parent !== window ? window.parent : null);
  if (lms) {
    /** @type {Window} */ (lms).postMessage({ subject: 'org.imsglobal.lti.close' }, '*');
  } else {
    window.close();
  }
});

// A module (the page loads it with type="module"): its names stay its own.
export {};
