/** Engine 5.x server features the official imlib-next 5.7.3 has (chatroom batch KV). */
import { describeE5ServerFeatures } from '../support/official-client-e5/e5-server-features';

describeE5ServerFeatures('5.7');
