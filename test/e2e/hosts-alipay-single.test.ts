/** The SDK e2e suite (sdk-api.test.ts), unchanged, on the Alipay adapter in single-socket mode (the global my.connectSocket) through the `my` simulator. */
import './sdk-api.test';
import { runSdkSuiteOn } from '../support/host-simulators/sdk-suite-hosts';

runSdkSuiteOn('alipay-single');
