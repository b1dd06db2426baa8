/** Engine 5.x server features (server unread, batch KV, read receipts V5) with the official imlib-next 5.38.0. */
import { describeE5ServerFeatures } from '../support/official-client-e5/e5-server-features';

describeE5ServerFeatures('5.38');
