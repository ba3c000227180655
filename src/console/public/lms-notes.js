// @ts-check
// Short, plain step-by-step notes for the LMSs people use most. Values come from the "Values for
// manual set-up" card above them on the Connect page. The longer versions: docs/lms/.
export const LMS_NOTES = [
  {
    lms: 'Moodle (4.5)',
    steps: [
      'Site administration → Plugins → Activity modules → External tool → Manage tools. Paste the Dynamic Registration URL (or a customer’s registration link) into the "Tool URL..." box and press "Add LTI Advantage".',
      'This tool’s registration page opens inside Moodle: it names the LMS and lists which services Moodle granted or left out. Read it, then press "Close".',
      'The tool now has a card "SCORM LTI bridge" (with this tool’s icon) on Manage tools, pending: press "Activate".',
      'Moodle registers a dynamically registered tool as "preconfigured", so it is in no activity chooser yet. On the card press the cog (Edit), set "Tool configuration usage" to "Show in activity chooser and as a preconfigured tool", and "Save changes". (Or a teacher turns it on for one course: the course’s More → LTI External tools → "Show in activity chooser".)',
      'Adding a course (teacher): Edit mode → "Add an activity or resource" → "SCORM LTI bridge" → "Select content", choose a course in this tool’s picker, then "Save and return to course". The activity gets a gradebook column; scores arrive as learners finish (see Learners & grades here).',
      'Grades missing? In the tool’s settings, Services → "IMS LTI Assignment and Grade Services" must be "Use this service for grade sync and column management", and the activity’s "Accept grades from the tool" ticked.',
      'By hand instead: "configure a tool manually", LTI version "LTI 1.3", Tool URL = Target link URI, Public key type "Keyset URL" with the JWKS URL, Initiate login URL, Redirection URI(s), "Tool configuration usage" as above, "Supports Deep Linking (Content-Item Message)" with the Deep Linking URL as Content Selection URL, and the Icon URL (under "Show more..."). Save, open "View configuration details" on the card and register the LMS below: Platform ID = issuer, Client ID, Authentication request URL, Access token URL, Public keyset URL, Deployment ID.',
    ],
  },
  {
    lms: 'Canvas',
    steps: [
      'Admin → Developer Keys → + Developer Key → + LTI Key.',
      'Method "Manual Entry": Redirect URIs, Target Link URI, OpenID Connect Initiation URL, JWK Method "Public JWK URL" with the JWKS URL.',
      'Enable the LTI Advantage services (line items, scores, results, names and roles). Add a "Link Selection" and "Assignment Selection" placement with the Deep Linking URL.',
      "Save, switch the key ON, copy the Client ID (the number under Details). Admin → Settings → Apps → + App → By Client ID, then copy the Deployment ID from the app's settings.",
      'Register here: issuer https://canvas.instructure.com (or your test/beta issuer), the Client ID, authorization https://sso.canvaslms.com/api/lti/authorize_redirect, token https://sso.canvaslms.com/login/oauth2/token, JWKS https://sso.canvaslms.com/api/lti/security/jwks, and the Deployment ID.',
    ],
  },
  {
    lms: 'Blackboard Learn',
    steps: [
      'Register the tool once in the Anthology Developer Portal (developer.blackboard.com) with the Login URL, Tool Redirect URL(s), Tool JWKS URL and Target Link URI; it gives an Application ID (Client ID).',
      'In Learn: Administrator Panel → Integrations → LTI Tool Providers → Register LTI 1.3/Advantage Tool, paste the Client ID, and note the Deployment ID shown.',
      'Allow grade service access and membership service access, and allow user names and e-mail if you want names in this console.',
      'Register here with issuer https://blackboard.com, the Client ID, authorization https://developer.blackboard.com/api/v1/gateway/oidcauth, token https://developer.blackboard.com/api/v1/gateway/oauth2/jwttoken, the JWKS URL from the portal, and the Deployment ID.',
    ],
  },
  {
    lms: 'D2L Brightspace',
    steps: [
      'Admin Tools → Manage Extensibility → LTI Advantage → Register Tool. Choose "Dynamic" and paste the Dynamic Registration URL, or "Standard" and fill in Domain, Redirect URLs, OpenID Connect Login URL, Target Link URI and Keyset URL.',
      'Enable Assignment and Grade Services, Deep Linking and Names and Role Provisioning; save.',
      'Create a Deployment of the tool for your org units and tick "Send user name" / "Send email" if wanted; note the Deployment ID.',
      'For a standard registration, register here with the values Brightspace shows: Issuer, Client ID, OpenID Connect Authentication Endpoint, Brightspace OAuth2 Access Token URL, Brightspace Keyset URL, the OAuth2 Audience as "Token audience", and the Deployment ID.',
    ],
  },
];
