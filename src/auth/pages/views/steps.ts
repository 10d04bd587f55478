/** The pages of the login interaction, each rendered inside the layout. */

export const login = `<form method="post" action="<%= it.action %>" novalidate>
<%~ include('@csrf', it) %>
<%~ include('@field', { field: { name: 'email', label: it.t.email, type: 'email', autocomplete: 'username', value: it.email }, invalid: !!it.error }) %>
<%~ include('@field', { field: { name: 'password', label: it.t.password, type: 'password', autocomplete: 'current-password' }, invalid: !!it.error }) %>
<button type="submit"><%= it.t.login %></button>
</form>
<% if (it.providers.length > 0) { %><section aria-labelledby="providers-heading">
<h2 id="providers-heading"><%= it.t.otherLogin %></h2>
<ul><% it.providers.forEach(function (p) { %><li><a href="<%= p.href %>"><%= it.t.loginWith %> <%= p.name %></a></li><% }) %></ul>
</section><% } %>
<section aria-labelledby="register-heading">
<h2 id="register-heading"><%= it.t.haveLinkCode %></h2>
<p><%= it.t.haveLinkCodeHint %></p>
<p><a href="<%= it.registerUrl %>"><%= it.t.haveLinkCode %></a></p>
</section>`;

export const secondFactor = `<% if (it.sms) { %><p><%= it.t.smsIntro %> <strong><%= it.mobileEnd %></strong>.</p><% } else { %><p><%= it.t.totpIntro %></p><% } %>
<form method="post" action="<%= it.action %>" novalidate>
<%~ include('@csrf', it) %>
<%~ include('@field', { field: { name: 'code', label: it.t.code, hint: it.t.codeHint, type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code' }, invalid: !!it.error }) %>
<button type="submit"><%= it.t.continue %></button>
</form>
<% if (it.resendAction) { %><form method="post" action="<%= it.resendAction %>">
<%~ include('@csrf', it) %>
<button type="submit" class="secondary"><%= it.t.sendNewCode %></button>
</form><% } %>`;

export const pick = `<p><%= it.t.pickIntro %></p>
<form method="post" action="<%= it.action %>">
<%~ include('@csrf', it) %>
<fieldset>
<legend><%= it.t.pickLegend %></legend>
<% it.choices.forEach(function (c, i) { %><div class="choice">
<input type="radio" id="link-<%= i %>" name="link" value="<%= c.id %>" required<% if (i === 0) { %> checked<% } %>>
<label for="link-<%= i %>"><strong><%= c.patientName %></strong> (<%= it.t.asRole %> <%= c.role %>)</label>
</div><% }) %>
</fieldset>
<button type="submit"><%= it.t.continue %></button>
</form>`;

export const terms = `<p><%= it.t.termsIntro %> <strong><%= it.organisationName %></strong>.</p>
<p><%= it.t.termsVersion %>: <strong><%= it.termsVersion %></strong></p>
<% if (it.termsUrl) { %><p><a href="<%= it.termsUrl %>" rel="noopener"><%= it.t.termsRead %></a></p><% } %>
<p><%= it.t.termsEveryLogin %></p>
<form method="post" action="<%= it.action %>">
<%~ include('@csrf', it) %>
<div class="buttons">
<button type="submit" name="accept" value="yes"><%= it.t.accept %></button>
<button type="submit" name="accept" value="no" class="secondary"><%= it.t.refuse %></button>
</div>
</form>`;

export const register = `<p><%= it.t.registerIntro %></p>
<form method="post" action="<%= it.action %>" novalidate>
<%~ include('@csrf', it) %>
<%~ include('@field', { field: { name: 'linkCode', label: it.t.linkCode, hint: it.t.linkCodeHint, type: 'text', autocomplete: 'off', value: it.values.linkCode }, invalid: !!it.error }) %>
<%~ include('@field', { field: { name: 'email', label: it.t.email, type: 'email', autocomplete: 'email', value: it.values.email }, invalid: !!it.error }) %>
<%~ include('@field', { field: { name: 'mobile', label: it.t.mobile, hint: it.t.mobileHint, type: 'tel', autocomplete: 'tel', value: it.values.mobile }, invalid: !!it.error }) %>
<%~ include('@field', { field: { name: 'password', label: it.t.newPassword, type: 'password', autocomplete: 'new-password' }, invalid: !!it.error }) %>
<%~ include('@field', { field: { name: 'password2', label: it.t.repeatPassword, type: 'password', autocomplete: 'new-password' }, invalid: !!it.error }) %>
<button type="submit"><%= it.t.register %></button>
</form>`;

export const verify = `<p><%= it.intro %><% if (it.mobileEnd) { %> <strong><%= it.mobileEnd %></strong>.<% } %></p>
<form method="post" action="<%= it.action %>" novalidate>
<%~ include('@csrf', it) %>
<%~ include('@field', { field: { name: 'code', label: it.t.code, hint: it.t.codeHint, type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code' }, invalid: !!it.error }) %>
<button type="submit"><%= it.t.continue %></button>
</form>
<% if (it.resendAction) { %><form method="post" action="<%= it.resendAction %>">
<%~ include('@csrf', it) %>
<button type="submit" class="secondary"><%= it.t.sendNewCode %></button>
</form><% } %>`;

export const factor = `<p><%= it.t.factorIntro %></p>
<form method="post" action="<%= it.action %>">
<%~ include('@csrf', it) %>
<fieldset>
<legend><%= it.t.factorLegend %></legend>
<div class="choice"><input type="radio" id="factor-totp" name="factor" value="totp" checked><label for="factor-totp"><%= it.t.factorTotp %></label></div>
<div class="choice"><input type="radio" id="factor-sms" name="factor" value="sms"><label for="factor-sms"><%= it.t.factorSms %></label></div>
</fieldset>
<button type="submit"><%= it.t.continue %></button>
</form>`;

export const totpSetup = `<p><%= it.t.totpSetupIntro %></p>
<p><%= it.t.totpSecret %>: <code class="secret"><%= it.secret %></code></p>
<p><%= it.t.totpUri %>: <a href="<%= it.uri %>" class="uri"><%= it.uri %></a></p>
<p><%= it.t.totpConfirm %></p>
<form method="post" action="<%= it.action %>" novalidate>
<%~ include('@csrf', it) %>
<%~ include('@field', { field: { name: 'code', label: it.t.code, hint: it.t.codeHint, type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code' }, invalid: !!it.error }) %>
<button type="submit"><%= it.t.continue %></button>
</form>`;

/** An error or a notice without a form (403, 429, an expired login, an error of the provider). */
export const message = `<p><%= it.message %></p>
<% if (it.technical) { %><p class="technical"><%= it.t.technical %>: <code><%= it.technical %></code></p><% } %>`;

/** Maintenance mode (M-8, A-12): the login is closed for now; when to come back, and the organisation's word. */
export const maintenance = `<p><%= it.message %></p>
<% if (it.until) { %><p><%= it.until %></p><% } %>
<% if (it.note) { %><p class="notice"<% if (it.noteLang) { %> lang="<%= it.noteLang %>"<% } %>><%= it.note %></p><% } %>`;
