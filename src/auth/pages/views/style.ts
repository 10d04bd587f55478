/**
 * The stylesheet of the login pages, served from its own route (the CSP allows no inline style).
 * Plain, high-contrast (WCAG 2.1 AA), with a focus outline on everything that can take focus.
 */
export const stylesheet = `
*, *::before, *::after { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 100%; line-height: 1.5; color: #1a1a1a; background: #ffffff; }
body { margin: 0 auto; max-width: 40rem; padding: 1rem; }
a { color: #0b4f8a; text-decoration: underline; }
a:visited { color: #5a2d82; }
:focus-visible { outline: 3px solid #c2410c; outline-offset: 2px; }
.skip { position: absolute; left: -10000px; top: auto; }
.skip:focus { position: static; display: inline-block; padding: 0.5rem; background: #ffffff; }
header { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 1px solid #6b6b6b; margin-bottom: 1rem; }
.site { font-weight: 600; margin: 0.5rem 0; }
h1 { font-size: 1.75rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; }
.urgent { border-left: 4px solid #b00020; padding: 0.5rem 0.75rem; background: #fdecee; }
.notice { border-left: 4px solid #1d6b2f; padding: 0.5rem 0.75rem; background: #e8f4ea; }
.error { border-left: 4px solid #b00020; padding: 0.5rem 0.75rem; background: #fdecee; color: #7a0016; font-weight: 600; }
.field { margin: 1rem 0; display: flex; flex-direction: column; }
label { font-weight: 600; }
.hint { color: #4a4a4a; font-size: 0.95rem; }
input[type="text"], input[type="email"], input[type="password"], input[type="tel"] { font: inherit; padding: 0.5rem; border: 2px solid #4a4a4a; border-radius: 4px; max-width: 24rem; }
input[aria-invalid="true"] { border-color: #b00020; }
fieldset { border: 1px solid #6b6b6b; border-radius: 4px; margin: 1rem 0; padding: 0.5rem 1rem; }
legend { font-weight: 600; padding: 0 0.25rem; }
.choice { display: flex; gap: 0.5rem; align-items: baseline; margin: 0.5rem 0; }
.choice label { font-weight: normal; }
button { font: inherit; font-weight: 600; padding: 0.6rem 1.2rem; border: 2px solid #0b4f8a; border-radius: 4px; background: #0b4f8a; color: #ffffff; cursor: pointer; margin: 0.25rem 0.5rem 0.25rem 0; }
button.secondary { background: #ffffff; color: #0b4f8a; }
.buttons { display: flex; flex-wrap: wrap; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; background: #f1f1f1; padding: 0 0.25rem; word-break: break-all; }
.uri { word-break: break-all; }
`;
