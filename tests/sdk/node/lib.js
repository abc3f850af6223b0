'use strict';
/**
 * Shared set-up for the Node SDK scripts: the unmodified facebook-nodejs-business-sdk, pointed at
 * graphmock with the one override the README documents (GRAPH is a static getter, so redefine it).
 *
 * A script exports nothing; it calls `main(async (sdk, args) => result)`. Arguments arrive as JSON on
 * stdin, the server as GRAPHMOCK_URL / GRAPHMOCK_TOKEN; the result is printed as one JSON document.
 */
const sdk = require('facebook-nodejs-business-sdk');

function init() {
  const url = process.env.GRAPHMOCK_URL;
  const token = process.env.GRAPHMOCK_TOKEN;
  if (!url || !token) {
    throw new Error('GRAPHMOCK_URL and GRAPHMOCK_TOKEN must be set');
  }
  Object.defineProperty(sdk.FacebookAdsApi, 'GRAPH', { get: () => url, configurable: true });
  // A user on a newer Graph version than the SDK's default redefines VERSION the same way (issue 17: v27.0).
  const version = process.env.GRAPHMOCK_API_VERSION;
  if (version) {
    Object.defineProperty(sdk.FacebookAdsApi, 'VERSION', { get: () => version, configurable: true });
  }
  // crash_log=false: the SDK would otherwise post crash reports for uncaught errors to Meta.
  return sdk.FacebookAdsApi.init(token, 'en_US', false);
}

/** What a caller needs from a FacebookRequestError: HTTP status and the Graph error object. */
function describeError(error) {
  // FacebookRequestError is not exported by the package, so recognise it by name.
  if (!error || error.name !== 'FacebookRequestError') {
    return { name: error && error.name, message: String(error && error.message), status: null, error: null };
  }
  return { name: error.name, message: error.message, status: error.status, error: error.response, url: error.url };
}

/** Resolve to {ok: true, value} or {ok: false, ...describeError}: errors are data for the test. */
async function attempt(promise) {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, ...describeError(error) };
  }
}

/** The plain data of an SDK object (what the server sent, as the SDK parsed it). */
function data(object) {
  return object && typeof object.exportAllData === 'function' ? object.exportAllData() : object;
}

function readStdin() {
  return new Promise((resolve, reject) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', chunk => { text += chunk; });
    process.stdin.on('end', () => resolve(text.trim() ? JSON.parse(text) : {}));
    process.stdin.on('error', reject);
  });
}

function main(scenario) {
  readStdin()
    .then(args => scenario(sdk, args, init()))
    .then(result => { process.stdout.write(JSON.stringify(result) + '\n'); })
    .catch(error => {
      const detail = describeError(error);
      process.stderr.write(`${error && error.stack}\n${JSON.stringify(detail)}\n`);
      process.exit(1);
    });
}

module.exports = { main, attempt, data, describeError };
