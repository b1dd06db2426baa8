// A RongIMLib 2.x sample app, written the way the seed docs write one, run unchanged on Node against
// Lianxin through the package's own `lianxin/node` entry (the built dist/node.mjs). Settings come from
// the environment; what it sees is printed as one JSON line per event for the test to read.
// Commands arrive on stdin as JSON lines: {"send": {"to": "...", "content": "..."}} | {"quit": true}.
import * as RongIMLib from 'lianxin/node';
import { createInterface } from 'node:readline';

const { APP_KEY, NAVI, TOKEN } = process.env;
const print = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

RongIMLib.RongIMClient.init(APP_KEY, null, { navi: NAVI });

RongIMLib.RongIMClient.setConnectionStatusListener({
  onChanged: function (status) {
    print({ status: status });
  },
});

RongIMLib.RongIMClient.setOnReceiveMessageListener({
  onReceived: function (message) {
    print({ received: { from: message.senderUserId, type: message.messageType, content: message.content.content, uid: message.messageUId } });
  },
});

RongIMLib.RongIMClient.connect(TOKEN, {
  onSuccess: function (userId) {
    print({ connected: userId });
  },
  onTokenIncorrect: function () {
    print({ tokenIncorrect: true });
  },
  onError: function (errorCode) {
    print({ connectError: errorCode });
  },
});

createInterface({ input: process.stdin }).on('line', function (line) {
  const command = JSON.parse(line);
  if (command.quit) {
    RongIMLib.RongIMClient.getInstance().disconnect();
    setTimeout(function () { process.exit(0); }, 100);
    return;
  }
  const msg = new RongIMLib.TextMessage({ content: command.send.content, extra: 'sample' });
  RongIMLib.RongIMClient.getInstance().sendMessage(RongIMLib.ConversationType.PRIVATE, command.send.to, msg, {
    onSuccess: function (message) {
      print({ sent: { uid: message.messageUId, sentTime: message.sentTime } });
    },
    onError: function (errorCode) {
      print({ sendError: errorCode });
    },
  });
});
