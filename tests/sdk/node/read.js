'use strict';
/**
 * Read one node with the Node SDK: args {type: 'Ad' | 'AdSet' | 'Campaign' | 'AdCreative', id, fields}.
 * Prints {ok, value} or {ok: false, status, error} (a FacebookRequestError as data).
 */
const { main, attempt, data } = require('./lib');

main(async (sdk, args) => {
  const result = await attempt(new sdk[args.type](args.id).get(args.fields));
  return result.ok ? { ok: true, value: data(result.value) } : result;
});
