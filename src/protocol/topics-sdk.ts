/**
 * What `./topics` is inside SDK bundles (rollup.config.mjs `sdkTables` resolves the SDK's imports of
 * ./topics here): the same export names, but `TOPIC_SCHEMA` holds only the topics the SDK sends or
 * receives (./sdk-topics), so the official clients' other topics and their message types stay out
 * of the bundle. Source builds, the server and the tests use ./topics, the whole catalogue.
 */
export { SDK_TOPIC_SCHEMA as TOPIC_SCHEMA, isSdkTopic as isTopic } from './sdk-topics';
export type { TopicFrame, TopicSchema } from './sdk-topics';
export * from './send-topics';
