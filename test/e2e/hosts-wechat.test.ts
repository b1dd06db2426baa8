/** The SDK e2e suite (sdk-api.test.ts), unchanged, on the WeChat adapter through the `wx` simulator. */
import './sdk-api.test';
import { runSdkSuiteOn } from '../support/host-simulators/sdk-suite-hosts';

runSdkSuiteOn('wechat');
