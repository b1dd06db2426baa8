import { RC_MESSAGES, decodeByName, encodeMessage, messageCodec } from '../../../src/protocol/messages';
import {
  SEND_TOPIC_CONVERSATION_TYPE,
  STATUS_TOPIC_CONVERSATION_TYPE,
  TOPIC_SCHEMA,
  Topic,
  conversationTypeOfTopic,
  isSendTopic,
  isStatusTopic,
  isTopic,
  sendTopicFor,
} from '../../../src/protocol/topics';
import { plain, sampleMessage } from './protobuf-samples';

const topics = Object.values(Topic);

describe('Topic', () => {
  it('maps every key to itself and has a schema entry for each topic, nothing more', () => {
    for (const [key, value] of Object.entries(Topic)) expect(key).toBe(value);
    expect(Object.keys(TOPIC_SCHEMA).sort()).toEqual([...topics].sort());
    // PROTOCOL.md §6.1–6.8 name 125 distinct topics (rtc_ntf appears in both 6.2 and 6.7), + lxReadPos (Lianxin),
    // + pbMsgP (engine 5.x's SYSTEM send topic, read from its send-topic map).
    expect(topics).toHaveLength(127);
  });

  it('covers one topic of each section and the odd spellings', () => {
    for (const t of ['ppMsgP', 'pullMsg', 'qryRelationR', 'joinChrmR', 'qnTkn', 'blackStat', 'rtcRJoin_data', 'rtcPullKv', 'reportsdk']) {
      expect(isTopic(t)).toBe(true);
    }
    expect(isTopic('')).toBe(false); // L2 sends SYSTEM messages with an empty topic
    expect(isTopic('toString')).toBe(false);
  });
});

describe('TOPIC_SCHEMA', () => {
  it('names only types that exist in the schema', () => {
    for (const t of topics) {
      const s = TOPIC_SCHEMA[t];
      for (const name of [s.input, s.output, s.inputL2]) {
        if (name !== undefined) expect(Object.keys(RC_MESSAGES)).toContain(name);
      }
    }
  });

  it.each(topics.filter((t) => TOPIC_SCHEMA[t].input !== undefined))('%s: its input type round-trips', (t) => {
    const input = TOPIC_SCHEMA[t].input;
    if (input === undefined) throw new Error('unreachable');
    const sample = sampleMessage(input, 7);
    const decoded = decodeByName(input, encodeMessage(messageCodec(input), sample));
    expect(plain(input, decoded)).toEqual(plain(input, sample));
  });

  it('records the frames of §6', () => {
    expect(TOPIC_SCHEMA.ppMsgP).toEqual({ frame: 'publish', input: 'UpStreamMessage' });
    expect(TOPIC_SCHEMA.recallMsg.frame).toBe('publish');
    expect(TOPIC_SCHEMA.pullMsg).toEqual({ frame: 'query', input: 'SyncRequestMsg', output: 'DownStreamMessages' });
    expect(TOPIC_SCHEMA.chrmPull.output).toBe('DownStreamMessages');
    expect(TOPIC_SCHEMA.s_ntf).toEqual({ frame: 'push', input: 'NotifyMsg' });
    expect(TOPIC_SCHEMA.s_msg).toEqual({ frame: 'push', input: 'DownStreamMessage' });
    expect(TOPIC_SCHEMA.s_us.input).toBe('UserSettingNotification');
    expect(TOPIC_SCHEMA.s_stat.input).toBe('GetUserStatusOutput');
    expect(TOPIC_SCHEMA.rtc_ntf.input).toBe('RtcNotifyMsg');
    expect(TOPIC_SCHEMA.qryCHMsg.output).toBe('HistoryMsgOuput');
    expect(TOPIC_SCHEMA.delRelation).toEqual({ frame: 'query', input: 'RelationQryInput', inputL2: 'RelationsInput' });
    expect(TOPIC_SCHEMA.delKV.inputL2).toBe('DeleteChrmKV');
    expect(TOPIC_SCHEMA.setOfflineMsgDur.input).toBe('GetQNupTokenOutput');
    expect(TOPIC_SCHEMA.rtcSetData).toMatchObject({ frame: 'publish', frameL2: 'query', output: 'RtcOutput' });
    expect(TOPIC_SCHEMA.rtcUDel).toMatchObject({ frame: 'publish', frameL2: 'query' });
    expect(TOPIC_SCHEMA.reportsdk).toEqual({ frame: 'query', input: 'ReportSDKInput' });
    expect(TOPIC_SCHEMA.blackStat.output).toBeUndefined();
  });

  it('every push topic is server-initiated and carries a payload', () => {
    const pushes = topics.filter((t) => TOPIC_SCHEMA[t].frame === 'push').sort();
    expect(pushes).toEqual(['chatMsgS', 'rtc_ntf', 's_cmd', 's_msg', 's_ntf', 's_stat', 's_us']);
    for (const t of pushes) expect(TOPIC_SCHEMA[t].input).toBeDefined();
  });
});

describe('send and status topics', () => {
  it('maps send topics to conversation types', () => {
    expect(SEND_TOPIC_CONVERSATION_TYPE).toMatchObject({ ppMsgP: 1, pdMsgP: 2, pgMsgP: 3, chatMsg: 4, pcMsgP: 5 });
    expect(STATUS_TOPIC_CONVERSATION_TYPE).toEqual({ ppMsgS: 1, pgMsgS: 3, chatMsgS: 4 });
    expect(conversationTypeOfTopic('pgMsgP')).toBe(3);
    expect(conversationTypeOfTopic('pgMsgS')).toBe(3);
    expect(conversationTypeOfTopic('recallMsg')).toBeUndefined();
    expect(conversationTypeOfTopic('__proto__')).toBeUndefined();
  });

  it('send and status topics are UpStreamMessage topics and disjoint', () => {
    for (const t of [...Object.keys(SEND_TOPIC_CONVERSATION_TYPE), ...Object.keys(STATUS_TOPIC_CONVERSATION_TYPE)]) {
      expect(isTopic(t)).toBe(true);
      if (isTopic(t)) expect(TOPIC_SCHEMA[t].input).toBe('UpStreamMessage');
      expect(isSendTopic(t) && isStatusTopic(t)).toBe(false);
    }
  });

  it('sendTopicFor inverts the mapping the way E4 picks topics', () => {
    for (const type of [1, 2, 3, 4, 5, 7, 8, 12]) {
      const topic = sendTopicFor(type);
      expect(topic).toBeDefined();
      if (topic !== undefined) expect(conversationTypeOfTopic(topic)).toBe(type);
    }
    expect(sendTopicFor(1, true)).toBe('ppMsgS');
    expect(sendTopicFor(3, true)).toBe('pgMsgS');
    expect(sendTopicFor(4, true)).toBe('chatMsg');
    // SYSTEM: E4 refuses it client-side; 2.9.8 lifted that, and engine 5.x sends it on pbMsgP.
    expect(sendTopicFor(6)).toBe('pbMsgP');
    expect(sendTopicFor(10)).toBeUndefined();
  });
});
