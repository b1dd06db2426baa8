/**
 * Group publish endpoints (SERVER_API.md §2.2): `message/group/publish` (stored or not per `isPersisted`, with
 * `toUserId` for a directed message and `isMentioned` for @-messages) and `statusmessage/group/publish`
 * (online members only, never stored). One message per group: the response lists `{groupId, messageUID}`.
 * Server API sends are not subject to membership, gags or bans (those govern client sends only).
 * Group recall goes through `message/recall` with conversationType 3 (message.ts).
 */
import type { GroupService } from '../../services/groups/group-service';
import { FlagBit } from '../../services/message-view';
import type { ServerApiHandler, ServerApiModule } from './index';
import { flagsOf, readContent } from './message';
import { messageFields, readPublishOptions } from './publish-options';
import { GROUP_ID_RULE } from './group';
import { USER_ID_RULE } from './user';

const OBJECT_NAME_RULE = { maxLength: 32 } as const;
const MAX_GROUPS = 3;
/** Directed recipients per call: at most a whole group. */
const MAX_DIRECTED = 3000;

function publish(groups: GroupService, status: boolean): ServerApiHandler {
  return ({ app, params }) => {
    const fromUserId = params.requiredString('fromUserId', USER_ID_RULE);
    const groupIds = params.strings('toGroupId', { ...GROUP_ID_RULE, required: true, maxItems: MAX_GROUPS });
    // An empty toUserId (some SDKs send the key with no value) means "every member", not "nobody".
    const directedTo = params.strings('toUserId', { ...USER_ID_RULE, maxItems: MAX_DIRECTED }).filter((id) => id !== '');
    const objectName = params.requiredString('objectName', OBJECT_NAME_RULE);
    const content = readContent(params);
    let flags = status ? 0 : flagsOf(objectName, params);
    if (!status && params.boolean('isMentioned', false)) flags |= FlagBit.Mentioned;
    const includeSender = params.boolean('isIncludeSender', false);
    const extra = messageFields(readPublishOptions(params));
    return async () => {
      const messageUIDs: { groupId: string; messageUID: string }[] = [];
      for (const groupId of [...new Set(groupIds)]) {
        const result = await groups.deliver({ appKey: app.appKey, fromUserId, groupId, objectName, content, flags, ...extra, directedTo, senderSendbox: includeSender });
        messageUIDs.push({ groupId, messageUID: result.messageUId });
      }
      return { messageUIDs };
    };
  };
}

export function groupMessageRoutes(groups: GroupService): ServerApiModule {
  return () => ({
    'message/group/publish': publish(groups, false),
    'statusmessage/group/publish': publish(groups, true),
  });
}
