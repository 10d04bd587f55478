/** Staff accounts and the console's sessions (issue 12, item 1). */
export * from './accounts';
export * from './sessions';
export * from './credentials';
export * from './federation';
