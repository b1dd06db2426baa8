/**
 * `message/discussion/publish` (rongcloud-sdk `Message.Discussion.send`). Discussions (conversation type 2) are
 * deprecated by RongCloud and not supported by this server: there is no discussion membership to deliver to, and
 * clients sending on `pdMsgP` are refused with NOT_IN_DISCUSSION (21406). The endpoint answers the documented
 * "service not enabled" (1009, HTTP 430) whatever the parameters, as for any service an app has not enabled,
 * rather than a 404 an SDK would take for a wrong base URL. (`Message.Discussion.recall` posts to `message/recall` with conversationType 2, which finds no
 * message to recall and answers 1002.)
 */
import { apiError, ServerApiErrors } from '../../errors';
import type { ServerApiModule } from './index';

export function discussionRoutes(): ServerApiModule {
  return () => ({
    'message/discussion/publish': () => {
      throw apiError(ServerApiErrors.notEnabled, 'discussions (conversation type 2) are not supported: use groups');
    },
  });
}
