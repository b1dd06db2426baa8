/** Interop: the official engine 5.x client @rongcloud/imlib-next 5.38.0 (+ engine 5.38.0) against our server. */
import { describeE5Interop } from '../support/official-client-e5/e5-interop-suite';

describeE5Interop('5.38');
