/**
 * The Server API modules of push targeting (issue #10): user tags, `push`, chatroom distribution, and the
 * deprecated discussion publish, and the documented endpoints answered 1009 (not-enabled.ts) — registered by
 * app.ts in one line.
 */
import type { Services } from '../../services/index';
import { chatroomDistributionRoutes } from './chatroom-distribution';
import { discussionRoutes } from './discussion';
import { notEnabledRoutes } from './not-enabled';
import type { ServerApiModule } from './index';
import { pushRoutes } from './push';
import { userTagRoutes } from './user-tag';

export function pushApiModules(services: Services): ServerApiModule[] {
  return [userTagRoutes(), pushRoutes(services.pushes), chatroomDistributionRoutes(services.distribution), discussionRoutes(), notEnabledRoutes()];
}
