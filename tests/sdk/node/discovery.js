'use strict';
/**
 * Discovery and previews with the Node SDK (issue 14): /me, /me/adaccounts (paged by paging.next),
 * /me/permissions, /act_<id>/assigned_users, the iabp_id edge, then a creative's previews and generatepreviews.
 * args: {act, business}. Prints what each call answered.
 */
const { main, attempt, data } = require('./lib');

main(async (sdk, args) => {
  const me = await new sdk.User('me').get(['id', 'name']);
  const accounts = await new sdk.User('me').getAdAccounts(['name', 'account_id', 'user_tasks', 'business'], { limit: 1 });
  const permissions = await new sdk.User('me').getPermissions([]);
  const assigned = await new sdk.AdAccount(args.act).getAssignedUsers(['tasks'], { business: args.business });
  const iabp = await new sdk.AdAccount(args.act).getConnectedInstagramAccountsWithIabp(['iabp_id'], { business_id: args.business });
  const spec = { page_id: '1100000000000001', link_data: { message: 'Node preview', link: 'https://example.com' } };
  const creative = await new sdk.AdAccount(args.act).createAdCreative([], { name: 'node preview', object_story_spec: spec });
  const previews = await new sdk.AdCreative(creative.id).getPreviews([], { ad_format: 'MOBILE_FEED_STANDARD' });
  const generated = await new sdk.AdAccount(args.act).getGeneratePreviews([], {
    ad_format: 'INSTAGRAM_STANDARD', creative: { object_story_spec: spec } });
  const missing = await attempt(new sdk.AdCreative(creative.id).getPreviews([], {}));
  return {
    me: data(me),
    accounts: accounts.map(data),
    has_next: accounts.hasNext(),
    permissions: permissions.map(data),
    assigned: assigned.map(data),
    iabp: iabp.map(data),
    preview: previews.map(data),
    generated: generated.map(data),
    missing_format: missing.ok ? null : { status: missing.status, error: missing.error },
  };
});
