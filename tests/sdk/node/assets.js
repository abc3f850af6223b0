'use strict';
/**
 * The account's assets through the Node SDK (issue 14): videos (AdVideo.create() on the SDK's video host, pointed
 * at graphmock like GRAPH; createAdVideo with file_url and upload_phase=start), custom audience with users,
 * campaign copy. Args {act, filepath, hashes}.
 *
 * AdVideo.create() uploads multipart, and this SDK's http.js drops the body of every multipart request
 * (`delete options.data`), so the upload reaches Graph, or graphmock, without its params.
 */
const { main, attempt, data } = require('./lib');

main(async (sdk, args) => {
  const url = process.env.GRAPHMOCK_URL;
  Object.defineProperty(sdk.FacebookAdsApi, 'GRAPH_VIDEO', { get: () => url, configurable: true });
  const account = new sdk.AdAccount(args.act);

  const video = new sdk.AdVideo(null, { filepath: args.filepath }, args.act);
  const uploaded = await attempt(video.create());
  const videoId = uploaded.ok ? uploaded.value.id : null;
  const videoRead = videoId ? await attempt(new sdk.AdVideo(videoId).read(['title', 'status'])) : uploaded;
  const viaUrl = await account.createAdVideo([], { file_url: 'https://example.com/spot.mp4', title: 'From URL' });
  const urlRead = data(await new sdk.AdVideo(viaUrl.id).read(['title', 'status']));
  const started = await attempt(account.createAdVideo([], { upload_phase: 'start', file_size: 1536000 }));

  const audience = await account.createCustomAudience([], {
    name: 'CRM customers', subtype: 'CUSTOM', customer_file_source: 'USER_PROVIDED_ONLY',
  });
  const added = await attempt(audience.createUser([], {
    payload: { schema: 'EMAIL_SHA256', data: args.hashes },
    session: { session_id: 42, batch_seq: 1, last_batch_flag: true },
  }));
  const removed = await attempt(audience.deleteUsers({ payload: { schema: 'EMAIL_SHA256', data: args.hashes.slice(0, 1) } }));
  const counts = await new sdk.CustomAudience(audience.id).get(['approximate_count_lower_bound', 'approximate_count_upper_bound']);

  const campaign = await account.createCampaign([], {
    name: 'Node campaign', objective: 'OUTCOME_TRAFFIC', status: 'ACTIVE', special_ad_categories: [],
  });
  const copy = await attempt(campaign.createCopy([], { deep_copy: true }));
  const copiedId = copy.ok ? data(copy.value).copied_campaign_id : null;
  const copyRead = copiedId ? data(await new sdk.Campaign(copiedId).get(['name', 'status'])) : null;

  return {
    uploaded: uploaded.ok ? uploaded.value : uploaded,
    video: videoRead.ok ? data(videoRead.value) : videoRead,
    urlRead,
    started: started.ok ? data(started.value) : started,
    added: added.ok ? data(added.value) : added,
    removed: removed.ok ? removed.value : removed,
    counts: data(counts),
    copy: copy.ok ? data(copy.value) : copy,
    copyRead,
  };
});
