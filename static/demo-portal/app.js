/* global FHIR, document, DemoTexts */
// The public app's login: a standalone SMART launch with fhirclient. The FHIR base comes from the
// demo's app server (settings.json), which knows where the gateway listens.
'use strict';

DemoTexts.apply('loginTitle');

document.getElementById('login').addEventListener('click', async () => {
  const { t } = DemoTexts;
  const status = document.getElementById('status');
  status.textContent = t('redirecting');
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
    status.textContent = `${t('loginFailed')}: ${err.message}`;
  }
});
