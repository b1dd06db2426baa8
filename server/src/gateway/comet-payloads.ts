/**
 * Comet carries payloads as JSON text; sessions and handlers only ever see protobuf bytes. This is
 * the one place that converts between them, by topic (TOPIC_SCHEMA, PROTOCOL.md §6, §10.3).
 */
import { cometJsonToPayload, isTopic, payloadToCometJson, TOPIC_SCHEMA, type TopicSchema } from '../../../src/internal';
import type { ClientKind } from './topic-router';

function schemaOf(topic: string): TopicSchema | undefined {
  return isTopic(topic) ? TOPIC_SCHEMA[topic] : undefined;
}

/**
 * Client PUBLISH/QUERY body → protobuf bytes (L2 has its own input type on a few topics). Unknown
 * topics and topics without input yield empty bytes: the session answers them by topic.
 */
export function upstreamPayload(topic: string, json: string, clientKind: ClientKind): Uint8Array {
  const schema = schemaOf(topic);
  const input = clientKind === 'L2' ? (schema?.inputL2 ?? schema?.input) : schema?.input;
  const text = json.trim();
  if (input === undefined || text === '' || text === '""') return new Uint8Array(0);
  return cometJsonToPayload(input, text);
}

/** QUERYACK payload → JSON text ('' when there is nothing to carry). */
export function queryAckData(topic: string | undefined, payload: Uint8Array): string {
  if (payload.length === 0 || topic === undefined) return '';
  const output = schemaOf(topic)?.output;
  return output === undefined ? '' : payloadToCometJson(output, payload);
}

/**
 * Server PUBLISH payload → JSON text: a push topic's own type (`s_ntf` → NotifyMsg…), or, for a
 * multi-device echo, the send topic's UpStreamMessage — both are the topic's `input`.
 */
export function pushData(topic: string, payload: Uint8Array): string {
  const input = schemaOf(topic)?.input;
  if (input === undefined) throw new Error(`no comet payload type for topic ${topic}`);
  return payloadToCometJson(input, payload);
}
