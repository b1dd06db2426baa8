/** The SDK e2e suite (sdk-api.test.ts), unchanged, on the Baidu adapter through the `swan` simulator. */
import './sdk-api.test';
import { runSdkSuiteOn } from '../support/host-simulators/sdk-suite-hosts';

runSdkSuiteOn('baidu');
