'use strict';
/**
 * Insights with the Node SDK: getInsights (every page through paging.next) and the async variant:
 * getInsightsAsync -> poll AdReportRun.get until 'Job Completed' at 100 % (advancing graphmock's virtual clock
 * through its control API between polls) -> AdReportRun.getInsights.
 *
 * args: {act}. Prints {sync: [rows], statuses: [...], async: [rows], run: {...}}.
 */
const { main, data } = require('./lib');

async function advance(seconds) {
  await fetch(`${process.env.GRAPHMOCK_URL}/__graphmock/clock`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ advance: seconds }),
  });
}

main(async (sdk, args) => {
  const account = new sdk.AdAccount(args.act);
  const fields = ['ad_id', 'spend', 'impressions', 'clicks'];
  const params = { level: 'ad', time_increment: 1, date_preset: 'last_7d', limit: 4 };
  let cursor = await account.getInsights(fields, params);
  const sync = cursor.map(data);
  while (cursor.hasNext()) {
    cursor = await cursor.next();
    sync.push(...cursor.map(data));
  }
  let run = await account.getInsightsAsync(fields, params);
  const statuses = [];
  for (let i = 0; i < 30; i++) {
    // the SDK's AdReportRun takes its id from report_run_id, so the returned object is the one to poll
    run = await run.get(['async_status', 'async_percent_completion', 'date_start', 'date_stop']);
    statuses.push(run.async_status);
    if (run.async_status === 'Job Completed' && run.async_percent_completion === 100) break;
    await advance(1);
  }
  let rows = await run.getInsights([], { limit: 5 });
  const asyncRows = rows.map(data);
  while (rows.hasNext()) {
    rows = await rows.next();
    asyncRows.push(...rows.map(data));
  }
  return { sync, statuses, async: asyncRows, run: data(run) };
});
