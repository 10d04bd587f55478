// A process of its own that opens a PGlite store on a data directory through the compiled code, for the
// tests of the data directory lock. Prints `open <pid>` and holds the store until SIGTERM or until its
// stdin ends; a refusal is printed as one JSON line and exits 2.
//   node test/support/open-pglite.cjs <data directory>
const { join } = require('node:path');
const { openStore } = require(join(__dirname, '../../dist/src/store'));

openStore({ driver: 'pglite', dataDir: process.argv[2] }).then(
  (store) => {
    let closing;
    const close = () => {
      closing ??= store.close().then(() => process.exit(0));
    };
    process.on('SIGTERM', close);
    process.stdin.on('end', close);
    process.stdin.resume();
    process.stdout.write(`open ${process.pid}\n`);
  },
  (error) => {
    process.stdout.write(`${JSON.stringify({ code: error.code, message: error.message })}\n`);
    process.exit(2);
  },
);
