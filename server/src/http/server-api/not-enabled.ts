/**
 * Documented Server API endpoints (SERVER_API.md §2) this server does not implement. Each answers the documented
 * "service not enabled" (1009, HTTP 430) whatever its parameters, as `message/discussion/publish` does, rather than
 * a 404 an SDK would take for a wrong base URL. Authentication still comes first (1004 for an unsigned call).
 * The rows SERVER_API.md itself marks "list only" are not listed here and stay 404.
 */
import { apiError, ServerApiErrors } from '../../errors';
import type { ServerApiHandler, ServerApiModule } from './index';

/** Path → why it is not served. */
export const NOT_ENABLED_ENDPOINTS: Readonly<Record<string, string>> = {
  'v3/message/ultragroup/query': 'ultragroups are not supported',
};

export function notEnabledRoutes(): ServerApiModule {
  return () => {
    const routes: Record<string, ServerApiHandler> = {};
    for (const [path, reason] of Object.entries(NOT_ENABLED_ENDPOINTS)) {
      routes[path] = () => {
        throw apiError(ServerApiErrors.notEnabled, reason);
      };
    }
    return routes;
  };
}
