'use strict';
/**
 * Campaigns with the Node SDK: create (seed 000 step 1), read, update, list every page by following
 * paging.next (Cursor.next() requests the absolute `next` URL verbatim), delete, and two errors.
 *
 * args: {act, count, limit}. Prints {created, read, update, pages, next_urls, total, deleted, after_delete,
 * errors: {missing_special_ad_categories, unknown_id}}.
 */
const { main, attempt, data } = require('./lib');

main(async (sdk, args) => {
  const account = new sdk.AdAccount(args.act);
  const campaign = await account.createCampaign([], {
    name: 'Click to Instagram Campaign',
    objective: 'OUTCOME_ENGAGEMENT',
    status: 'ACTIVE',
    special_ad_categories: [],
  });
  const read = await new sdk.Campaign(campaign.id).get(['name', 'status', 'objective']);
  const update = await new sdk.Campaign(campaign.id).update([], { name: 'Renamed', status: 'PAUSED' });
  const renamed = await new sdk.Campaign(campaign.id).get(['name', 'status']);

  for (let i = 0; i < args.count - 1; i++) {
    await account.createCampaign([], {
      name: `Node campaign ${i}`, objective: 'OUTCOME_TRAFFIC', status: 'PAUSED', special_ad_categories: [],
    });
  }
  let cursor = await account.getCampaigns(['name'], { limit: args.limit, summary: true });
  const pages = [cursor.map(c => c.id)];
  const nextUrls = [];
  const total = cursor.summary ? cursor.summary.total_count : null;
  while (cursor.hasNext() && pages.length <= args.count) {
    nextUrls.push(cursor.paging.next);
    cursor = await cursor.next();
    pages.push(cursor.map(c => c.id));
  }

  const deleted = await new sdk.Campaign(campaign.id).delete([]);
  const afterDelete = await new sdk.Campaign(campaign.id).get(['status', 'effective_status']);

  const missing = await attempt(account.createCampaign([], { name: 'x', objective: 'OUTCOME_TRAFFIC' }));
  const unknown = await attempt(new sdk.Campaign('999').get(['name']));
  return {
    created: data(campaign),
    read: data(read),
    update,
    renamed: data(renamed),
    pages,
    next_urls: nextUrls,
    total,
    deleted,
    after_delete: data(afterDelete),
    errors: { missing_special_ad_categories: missing, unknown_id: unknown },
  };
});
