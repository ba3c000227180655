// @ts-check
// Short, plain step-by-step notes for the LMSs people use most. Values come from the "Values for
// manual set-up" card above them on the Connect page.
export const LMS_NOTES = [
  {
    lms: 'Moodle (4.x)',
    steps: [
      'Site administration → Plugins → Activity modules → External tool → Manage tools.',
      'Paste the Dynamic Registration URL into "Tool URL" and press "Add LTI Advantage". Approve, then activate the tool. Done.',
      'By hand instead: "configure a tool manually", LTI version "LTI 1.3", Tool URL = Target link URI, Initiate login URL, Redirection URI(s), Public key type "Keyset URL" with the JWKS URL; enable Deep Linking with the Deep Linking URL.',
      'Under Services, set "IMS LTI Assignment and Grade Services" to "Use this service for grade sync and column management".',
      'Save, open "View configuration details", and register here: Platform ID = issuer, Client ID, Authentication request URL, Access token URL, Public keyset URL, Deployment ID.',
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
