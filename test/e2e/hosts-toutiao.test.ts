/** The SDK e2e suites (sdk-api.test.ts, sdk-groups.test.ts), unchanged, on the Douyin/Toutiao adapter through the `tt` simulator. */
import './sdk-api.test';
import './sdk-groups.test';
import { runSdkSuiteOn } from '../support/host-simulators/sdk-suite-hosts';

runSdkSuiteOn('toutiao');
