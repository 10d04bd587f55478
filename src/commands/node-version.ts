/**
 * The first module the command line loads. On an older Node, loading the others fails deep inside a
 * dependency (`WebSocket is not defined`, and pages of minified code) before any code of ours could
 * explain, so this runs first and stops with one line instead. It imports nothing, and must stay
 * loadable by the older Node versions it is there to turn away.
 */

/** The major version `engines` in package.json asks for; a test keeps the two the same. */
export const REQUIRED_NODE_MAJOR = 24;

/** What to tell someone who runs the command with `executable`, Node `version`; undefined if it will do. */
export function nodeVersionProblem(version: string, executable: string): string | undefined {
  const major = Number(version.split('.')[0]);
  if (major >= REQUIRED_NODE_MAJOR) return undefined;
  return (
    `inzage needs Node.js ${REQUIRED_NODE_MAJOR} or newer; ${executable} is Node.js ${version}. ` +
    `Run it with \`npx inzage …\` in the project directory (npm installs Node.js ${REQUIRED_NODE_MAJOR} ` +
    `there), or install Node.js ${REQUIRED_NODE_MAJOR}.`
  );
}

const problem = nodeVersionProblem(process.versions.node, process.execPath);
if (problem !== undefined) {
  // Synchronous on files, pipes and terminals on Linux, so the line is out before the exit.
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
