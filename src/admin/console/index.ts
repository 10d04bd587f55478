export { consoleRouter, type ConsoleRouterOptions } from './router';
export { CONSOLE_PAGES } from './pages';
export { CONSOLE_BASE } from './layout';
export type { ConsoleContext, ConsolePage } from './page';
export { html, raw, escapeHtml, SafeHtml } from './html';
export { tr, formatDate, formatMoment, type ConsoleLanguage } from './language';
