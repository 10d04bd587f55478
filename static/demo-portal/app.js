/* global FHIR, document */
// The public app's login: a standalone SMART launch with fhirclient. The FHIR base comes from the
// demo's app server (settings.json), which knows where the gateway listens.
'use strict';

document.getElementById('login').addEventListener('click', async () => {
  const status = document.getElementById('status');
  status.textContent = 'Doorsturen naar Inzage… / Redirecting to Inzage…';
  try {
    const settings = await (await fetch('settings.json')).json();
    await FHIR.oauth2.authorize({
      clientId: settings.clientId,
      scope: settings.scope,
      iss: settings.fhirBase,
      redirectUri: 'callback.html',
      pkceMode: 'required',
    });
  } catch (err) {
    status.textContent = `Inloggen lukt niet / Login failed: ${err.message}`;
  }
});
