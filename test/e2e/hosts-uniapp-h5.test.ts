/** The SDK e2e suites (sdk-api.test.ts, sdk-groups.test.ts), unchanged, on the uni-app adapter through the `uni` simulator (H5. */
import './sdk-api.test';
import './sdk-groups.test';
import { runSdkSuiteOn } from '../support/host-simulators/sdk-suite-hosts';

runSdkSuiteOn('uniapp-h5');
