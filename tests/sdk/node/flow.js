'use strict';
/**
 * Seed 000 (click-to-Instagram) with the Node SDK: campaign -> ad set -> ad image (base64 `bytes`) ->
 * creative (link_data with the returned hash) -> ad PAUSED -> read -> status ACTIVE -> read effective_status.
 *
 * args: {act, page_id, instagram_user_id, png_base64}. Prints the ids and every read, as the SDK parsed them.
 */
const { main, data } = require('./lib');

const IG_CTA = { type: 'INSTAGRAM_MESSAGE', value: { app_destination: 'INSTAGRAM_DIRECT' } };

main(async (sdk, args) => {
  const account = new sdk.AdAccount(args.act);
  const campaign = await account.createCampaign([], {
    name: 'Click to Instagram Campaign', objective: 'OUTCOME_ENGAGEMENT', status: 'ACTIVE', special_ad_categories: [],
  });
  const adSet = await account.createAdSet([], {
    name: 'Click to Instagram Ad Set',
    campaign_id: campaign.id,
    bid_strategy: 'LOWEST_COST_WITHOUT_CAP',
    billing_event: 'IMPRESSIONS',
    daily_budget: 5000,
    destination_type: 'INSTAGRAM_DIRECT',
    optimization_goal: 'CONVERSATIONS',
    promoted_object: { page_id: args.page_id },
    status: 'ACTIVE',
    targeting: { geo_locations: { countries: ['US', 'CA'] }, device_platforms: ['mobile', 'desktop'] },
  });
  const adSetRead = await new sdk.AdSet(adSet.id).get(
    ['name', 'destination_type', 'optimization_goal', 'bid_strategy', 'status']);

  const image = await account.createAdImage([], { bytes: args.png_base64 });
  const images = data(image).images;
  const imageHash = images[Object.keys(images)[0]].hash;

  const creative = await account.createAdCreative([], {
    name: 'Sample ad creative',
    object_story_spec: {
      page_id: args.page_id,
      instagram_user_id: args.instagram_user_id,
      link_data: { message: 'Chat with us', image_hash: imageHash, call_to_action: IG_CTA },
    },
  });
  const creativeRead = await new sdk.AdCreative(creative.id).get(
    ['name', 'object_story_spec{link_data{call_to_action,image_hash}}']);

  const ad = await account.createAd([], {
    name: 'Click to Instagram Ad', adset_id: adSet.id, creative: { creative_id: creative.id }, status: 'PAUSED',
  });
  const adRead = await new sdk.Ad(ad.id).get(['status', 'adset_id', 'campaign_id']);
  const activated = await new sdk.Ad(ad.id).update([], { status: 'ACTIVE' });
  const pending = await new sdk.Ad(ad.id).get(['status', 'effective_status']);

  return {
    campaign_id: campaign.id,
    ad_set_id: adSet.id,
    ad_set_read: data(adSetRead),
    images,
    image_hash: imageHash,
    creative_id: creative.id,
    creative_read: data(creativeRead),
    ad_id: ad.id,
    ad_read: data(adRead),
    activated,
    pending: data(pending),
  };
});
