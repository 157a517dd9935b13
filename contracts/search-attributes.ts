/**
 * The search attributes every golden-image run carries, so that runs can be found in the Temporal UI
 * by pipeline, by stage, and by the AWS resources they touched. The dev stack and `golden-image setup`
 * register exactly these.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const PIPELINE = defineSearchAttributeKey('GoldenImagePipeline', SearchAttributeType.KEYWORD);
export const STAGE = defineSearchAttributeKey('GoldenImageStage', SearchAttributeType.KEYWORD);
export const RESOURCES = defineSearchAttributeKey('GoldenImageResources', SearchAttributeType.KEYWORD_LIST);

export const ALL_SEARCH_ATTRIBUTES = [PIPELINE, STAGE, RESOURCES];
