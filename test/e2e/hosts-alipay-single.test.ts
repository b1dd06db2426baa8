/** The SDK e2e suites (sdk-api.test.ts, sdk-groups.test.ts), unchanged, on the Alipay adapter in single-socket mode (the global my.connectSocket) through the `my` simulator. */
import './sdk-api.test';
import './sdk-groups.test';
import { runSdkSuiteOn } from '../support/host-simulators/sdk-suite-hosts';

runSdkSuiteOn('alipay-single');
