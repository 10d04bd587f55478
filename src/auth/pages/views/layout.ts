/**
 * The one layout of every login page: language, title, skip link, header with the language switch,
 * the urgency notice (M-13), and the page in a `main` landmark. Eta escapes every `<%= %>`; `<%~ %>`
 * (raw) is used only for `it.body`, the already-rendered page.
 */
export const layout = `<!doctype html>
<html lang="<%= it.lang %>">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><%= it.title %> – <%= it.t.siteName %></title>
<link rel="stylesheet" href="<%= it.stylesheet %>">
</head>
<body>
<a class="skip" href="#main"><%= it.t.skipLink %></a>
<header>
<p class="site"><%= it.t.siteName %></p>
<nav aria-label="<%= it.lang === 'nl' ? 'Taal' : 'Language' %>">
<a href="<%= it.switchUrl %>" lang="<%= it.otherLang %>" hreflang="<%= it.otherLang %>" aria-label="<%= it.t.otherLanguageLabel %>"><%= it.t.otherLanguage %></a>
</nav>
</header>
<main id="main" tabindex="-1">
<h1><%= it.title %></h1>
<p class="urgent"><strong><%= it.t.urgent %></strong></p>
<% if (it.clientName) { %><p class="app"><%= it.t.appIntro %> <strong><%= it.clientName %></strong></p><% } %>
<% if (it.notice) { %><p class="notice" role="status"><%= it.notice %></p><% } %>
<% if (it.error) { %><p class="error" id="form-error" role="alert"><%= it.error %></p><% } %>
<%~ it.body %>
</main>
</body>
</html>
`;
