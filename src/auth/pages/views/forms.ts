/**
 * Pieces every form shares: the hidden CSRF field and a text field whose error is tied to it. Kept as
 * partials so that each page says only what is its own.
 */
export const csrfField = `<input type="hidden" name="csrf" value="<%= it.csrf %>">`;

/**
 * One labelled input. `it.field`: {name, label, type, autocomplete, hint?, inputmode?, value?,
 * required?, pattern?}; `it.invalid` marks it with the page's error.
 */
export const field = `<div class="field">
<label for="f-<%= it.field.name %>"><%= it.field.label %></label>
<% if (it.field.hint) { %><span class="hint" id="h-<%= it.field.name %>"><%= it.field.hint %></span><% } %>
<input id="f-<%= it.field.name %>" name="<%= it.field.name %>" type="<%= it.field.type %>" autocomplete="<%= it.field.autocomplete %>"<% if (it.field.inputmode) { %> inputmode="<%= it.field.inputmode %>"<% } %><% if (it.field.value) { %> value="<%= it.field.value %>"<% } %> required<% if (it.field.hint || it.invalid) { %> aria-describedby="<%= [it.field.hint ? 'h-' + it.field.name : '', it.invalid ? 'form-error' : ''].filter(Boolean).join(' ') %>"<% } %><% if (it.invalid) { %> aria-invalid="true"<% } %>>
</div>`;
