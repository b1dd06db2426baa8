/** The SDK e2e suite (sdk-api.test.ts), unchanged, on the Douyin/Toutiao adapter through the `tt` simulator. */
import './sdk-api.test';
import { runSdkSuiteOn } from '../support/host-simulators/sdk-suite-hosts';

runSdkSuiteOn('toutiao');
