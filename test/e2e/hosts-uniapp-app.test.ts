/** The SDK e2e suite (sdk-api.test.ts), unchanged, on the uni-app adapter through the `uni` simulator (App). */
import './sdk-api.test';
import { runSdkSuiteOn } from '../support/host-simulators/sdk-suite-hosts';

runSdkSuiteOn('uniapp-app');
