/* global FHIR, document */
// Completes the launch (code for token, in the browser: the gateway's CORS lets this origin in) and
// shows the token's facts. Reading data waits for the gateway's FHIR API.
'use strict';

function show(id, text) {
  document.getElementById(id).textContent = text;
}

FHIR.oauth2
  .ready()
  .then((client) => {
    const token = client.state.tokenResponse || {};
    show('fhir-user', client.getFhirUser() || '–');
    show('patient', client.patient.id ? `Patient/${client.patient.id}` : '–');
    show('scopes', token.scope || '–');
    show('expires', client.state.expiresAt ? new Date(client.state.expiresAt * 1000).toISOString() : '–');
    show('refresh', token.refresh_token ? 'ja / yes' : 'nee / no');
    document.getElementById('title').innerHTML =
      'U bent ingelogd <span lang="en" class="en">You are logged in</span>';
    document.getElementById('facts').hidden = false;
  })
  .catch((err) => {
    document.getElementById('title').innerHTML =
      'Inloggen is niet gelukt <span lang="en" class="en">Login failed</span>';
    const error = document.getElementById('error');
    error.textContent = err.message;
    error.hidden = false;
  });
